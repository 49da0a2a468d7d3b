"""The knowledge base (FAQ) and the CRM's in-app help."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from crm.forms import call_service
from crm.pagination import paginate

from .. import selectors
from ..forms import ArticleForm
from ..models import ArticleCategory
from ..services import knowledge


@permission_required("service.view_article", raise_exception=True)
def article_list(request):
    editor = request.user.has_perm("service.change_article")
    articles = selectors.article_list(
        user=request.user, text=request.GET.get("q", ""), category=request.GET.get("category") or None,
        include_drafts=editor,
    )  # fmt: skip
    context = {
        "page": paginate(articles, request),
        "categories": ArticleCategory.objects.all(),
        "q": request.GET.get("q", ""),
        "category": request.GET.get("category", ""),
    }
    return render(request, "service/article_list.html", context)


@permission_required("service.view_article", raise_exception=True)
def article_detail(request, pk):
    article = selectors.article_get(
        user=request.user, pk=pk, include_drafts=request.user.has_perm("service.change_article")
    )
    return render(request, "service/article_detail.html", {"article": article})


def _article_form(request, article=None):
    form = ArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        if article is None:
            saved = call_service(form, knowledge.article_create, actor=request.user, data=dict(form.cleaned_data))
        else:
            saved = call_service(
                form, knowledge.article_update, actor=request.user, article=article, data=dict(form.cleaned_data)
            )
        if saved is not None:
            messages.success(request, _("Article saved."))
            return redirect(saved)
    return render(request, "service/article_form.html", {"form": form, "article": article})


@permission_required("service.add_article", raise_exception=True)
def article_create(request):
    return _article_form(request)


@permission_required("service.change_article", raise_exception=True)
def article_update(request, pk):
    return _article_form(request, selectors.article_get(user=request.user, pk=pk, include_drafts=True))


def help_index(request):
    """Every signed-in user: a short guide per module, in their language."""
    language = "zh-hans" if (get_language() or "").startswith("zh") else "en"
    return render(request, "service/help.html", {"articles": selectors.help_articles(language=language)})
