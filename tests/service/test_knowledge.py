"""Knowledge base (FAQ): drafts stay with editors, search finds published articles, tickets link them;
the in-app help is seeded in both languages and open to every signed-in user."""

import pytest
from django.urls import reverse

from service.models import Article

from .factories import ArticleFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_readers_see_published_articles_and_find_them(client_for, rep_user):
    ArticleFactory(title="Reset the router", body="Hold the reset button.")
    ArticleFactory(title="Replace toner", body="Open the front cover.")
    ArticleFactory(title="Secret draft", status=Article.Status.DRAFT)
    client = client_for(rep_user)
    page = client.get(reverse("service:article-list")).content.decode()
    assert "Reset the router" in page and "Replace toner" in page and "Secret draft" not in page
    found = client.get(reverse("service:article-list"), {"q": "front cover"}).content.decode()
    assert "Replace toner" in found and "Reset the router" not in found
    draft = Article.objects.get(title="Secret draft")
    assert client.get(reverse("service:article-detail", args=[draft.pk])).status_code == 404


def test_an_agent_writes_and_publishes_an_article(client_for, agent):
    client = client_for(agent)
    response = client.post(
        reverse("service:article-create"),
        {
            "title": "发票抬头如何修改",
            "body": "在订单页面点击“修改发票”。",
            "status": "published",
            "language": "zh-hans",
        },
    )
    article = Article.objects.get(title="发票抬头如何修改")
    assert response.status_code == 302 and article.author == agent
    assert "修改发票" in client.get(article.get_absolute_url()).content.decode()


def test_an_article_needs_a_title(client_for, agent):
    response = client_for(agent).post(reverse("service:article-create"), {"title": "", "body": "x", "status": "draft"})
    assert response.status_code == 200 and not Article.objects.filter(body="x").exists()


def test_a_ticket_links_published_articles(client_for, queue, customer, agent):
    ticket = TicketFactory(queue=queue, customer=customer, assignee=agent)
    article = ArticleFactory(title="Paper jams")
    draft = ArticleFactory(title="Half written", status=Article.Status.DRAFT)
    client = client_for(agent)
    client.post(reverse("service:ticket-article", args=[ticket.pk]), {"article": article.pk})
    assert client.post(reverse("service:ticket-article", args=[ticket.pk]), {"article": draft.pk}).status_code == 404
    assert list(ticket.articles.all()) == [article]
    assert "Paper jams" in client.get(ticket.get_absolute_url()).content.decode()


def test_help_is_seeded_per_module_in_both_languages(client_for, rep_user):
    modules = set(Article.objects.exclude(help_module="").values_list("help_module", "language"))
    for module in ["customers", "service", "marketing", "sales", "reports", "administration"]:
        assert {(module, "en"), (module, "zh-hans")} <= modules
    client = client_for(rep_user)
    english = client.get(reverse("service:help"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Service guide" in english and "客户服务指南" not in english
    rep_user.language = "zh-hans"
    rep_user.save()
    chinese = client.get(reverse("service:help")).content.decode()
    assert "客户服务指南" in chinese and 'href="/service/help/"' in chinese  # the sidebar entry


def test_help_pages_stay_out_of_the_faq_list(client_for, agent):
    page = client_for(agent).get(reverse("service:article-list")).content.decode()
    assert "Service guide" not in page
