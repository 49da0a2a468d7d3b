"""Writes to the knowledge base: FAQ articles and the CRM's help pages."""

from django.db import transaction

from crm.audit import log_action
from crm.models import BehaviourLog
from crm.scope import Module

from ..models import Article

ARTICLE_FIELDS = ["title", "body", "category", "status", "language", "help_module"]


def _apply(article: Article, data: dict) -> list[str]:
    changed = [f for f in ARTICLE_FIELDS if f in data and getattr(article, f) != data[f]]
    for field in ARTICLE_FIELDS:
        if field in data:
            setattr(article, field, data[field])
    article.full_clean()
    return changed


@transaction.atomic
def article_create(*, actor, data: dict) -> Article:
    article = Article(author=actor)
    _apply(article, data)
    article.save()
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=article, module=Module.SERVICE)
    return article


@transaction.atomic
def article_update(*, actor, article: Article, data: dict) -> Article:
    article = Article.objects.select_for_update().get(pk=article.pk)
    changed = _apply(article, data)
    article.save()
    log_action(
        actor=actor, action=BehaviourLog.Action.UPDATE, obj=article, module=Module.SERVICE, detail={"fields": changed}
    )
    return article
