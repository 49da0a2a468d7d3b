"""What runs while a page's template draws, for the list pages' tests (issue 18: template work ≤ SQL work)."""

from contextlib import contextmanager

from django.db import connection
from django.template.backends.django import Template


@contextmanager
def queries_while_drawing():
    """The statements run while a template draws (the outermost render, as bench/lists.py times it)."""
    drawing, queries = [0], []
    render = Template.render

    def counted_render(template, *args, **kwargs):
        drawing[0] += 1
        try:
            return render(template, *args, **kwargs)
        finally:
            drawing[0] -= 1

    def watch(execute, sql, params, many, context):
        if drawing[0]:
            queries.append(sql)
        return execute(sql, params, many, context)

    Template.render = counted_render
    try:
        with connection.execute_wrapper(watch):
            yield queries
    finally:
        Template.render = render
