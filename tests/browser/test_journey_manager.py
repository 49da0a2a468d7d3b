"""The sales manager's day, by clicking: a new lead assigned to a rep of the team and converted (customer,
contact, opportunity), the deal moved on the board by dragging it and from the keyboard, an order with two
lines at the products' prices confirmed and its PDF downloaded in the manager's language, a contract made
from the order for its amount. And a customer list exported from another system, with Chinese column
headers and Chinese choice values, imported through the column mapping and a dry run."""

import io
from decimal import Decimal

import pypdf
import pytest
from celery.contrib.testing.worker import start_worker
from selenium.webdriver import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from crm.celery import app
from customers.models import Contact, Customer
from sales.models import Contract, Lead, Opportunity, Order
from tests.sales.factories import ProductFactory
from tests.world import build_world

from .journey import (
    LANGUAGES,
    download,
    fill,
    label,
    no_script_errors,
    no_server_error,
    open_page,
    say,
    send,
    shot,
    sign_in,
    until_text,
    until_url,
    use_language,
    wait,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

COMPANY = "苏州青禾医疗器械有限公司"


def _card_in(stage, opportunity):
    """A wait condition in one lookup, so a board swapped in meanwhile cannot leave a stale element."""
    selector = f'.sales-column[data-stage="{stage.pk}"] #opportunity-{opportunity.pk}'
    return lambda driver: driver.find_elements(By.CSS_SELECTOR, selector)


@pytest.mark.parametrize("language", LANGUAGES)
def test_manager_converts_a_lead_moves_the_deal_and_sells_with_order_and_contract(
    journey_browser, live_server, language
):
    browser = journey_browser
    world = build_world()
    manager, rep = world.users["manager"], world.users["rep"]
    use_language(manager, language)
    server = world.records["product"]
    service = ProductFactory(name="上门安装服务", price=Decimal("3200.00"))

    sign_in(browser, live_server, "manager")

    # a new lead, left for the team
    open_page(browser, live_server, "/sales/leads/")
    browser.find_element(By.ID, "new-lead").click()
    until_url(browser, "/sales/leads/create/")
    fill(browser, "name", "吴晓东")
    fill(browser, "company", COMPANY)
    fill(browser, "phone", "0512-6688 0101")
    fill(browser, "email", "wu@qinghe.example")
    fill(browser, "unassigned", True)
    shot(browser, language, "manager-1-new-lead")
    send(browser, "name")
    lead = wait(browser).until(lambda driver: Lead.objects.filter(company=COMPANY).first())
    until_url(browser, f"/sales/leads/{lead.pk}/")
    assert lead.owner is None

    # assigned to a rep of the team
    fill(browser, "owner", rep.pk)
    send(browser, "owner")
    wait(browser).until(lambda driver: Lead.objects.get(pk=lead.pk).owner_id == rep.pk)
    until_text(browser, str(rep))
    assert str(rep) in browser.find_element(By.ID, "lead-owner").text
    shot(browser, language, "manager-2-assigned")

    # converted: customer, contact and opportunity in one step
    browser.find_element(By.ID, "convert-lead").click()
    until_url(browser, f"/sales/leads/{lead.pk}/convert/")
    fill(browser, "amount", "96000")
    shot(browser, language, "manager-3-convert")
    browser.find_element(By.ID, "save").click()
    until_url(browser, "/sales/opportunities/")
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONVERTED
    customer = Customer.objects.get(name=COMPANY)
    assert Contact.objects.filter(customer=customer, name="吴晓东").exists()
    deal = Opportunity.objects.get(customer=customer)
    assert deal.amount == Decimal("96000") and lead.opportunity_id == deal.pk
    stages = list(deal.pipeline.stages.filter(is_won=False, is_lost=False).order_by("order"))
    assert deal.stage == stages[0]

    # on the board, dragged with the mouse to the next stage: still there after a reload
    open_page(browser, live_server, f"/sales/opportunities/board/?pipeline={deal.pipeline_id}")
    card = browser.find_element(By.ID, f"opportunity-{deal.pk}")
    column = browser.find_element(By.CSS_SELECTOR, f'.sales-column[data-stage="{stages[1].pk}"] .card-header')
    ActionChains(browser).drag_and_drop(card, column).perform()
    wait(browser).until(_card_in(stages[1], deal))
    browser.refresh()
    wait(browser).until(_card_in(stages[1], deal))
    assert Opportunity.objects.get(pk=deal.pk).stage == stages[1]
    shot(browser, language, "manager-4-board")

    # and without a mouse: the stage chosen on the card with the arrow keys, Move pressed with Enter
    stage_select = browser.find_element(By.ID, f"move-{deal.pk}")
    stage_select.send_keys(Keys.ARROW_DOWN)
    assert Select(stage_select).first_selected_option.get_attribute("value") == str(stages[2].pk)
    stage_select.send_keys(Keys.TAB)
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait(browser).until(_card_in(stages[2], deal))
    browser.refresh()
    wait(browser).until(_card_in(stages[2], deal))
    assert Opportunity.objects.get(pk=deal.pk).stage == stages[2]

    # an order for the deal with two lines, each at its product's price
    open_page(browser, live_server, deal.get_absolute_url())
    browser.find_element(By.CSS_SELECTOR, f"a[href$='/sales/orders/create/?opportunity={deal.pk}']").click()
    until_url(browser, "/sales/orders/create/")
    for n, (product, quantity) in enumerate([(server, 2), (service, 1)]):
        fill(browser, f"lines-{n}-product", product.pk)
        fill(browser, f"lines-{n}-quantity", str(quantity))
        price = browser.find_element(By.NAME, f"lines-{n}-unit_price").get_attribute("value")
        assert Decimal(price) == product.price
    shot(browser, language, "manager-5-order")
    send(browser, "lines-0-product")
    order = wait(browser).until(lambda driver: Order.objects.filter(customer=customer).first())
    until_url(browser, f"/sales/orders/{order.pk}/")
    assert order.opportunity_id == deal.pk
    assert sorted(order.lines.values_list("unit_price", flat=True)) == [service.price, server.price]
    assert order.total == 2 * server.price + service.price

    # confirmed
    browser.find_element(By.ID, "confirm-order").click()
    wait(browser).until(lambda driver: Order.objects.get(pk=order.pk).status == Order.Status.CONFIRMED)
    until_text(browser, say(language, "Order confirmed; stock updated."))
    no_server_error(browser)
    shot(browser, language, "manager-6-order-confirmed")

    # its PDF, as the browser downloads it, in the manager's language
    link = browser.find_element(By.CSS_SELECTOR, f"a[href$='/sales/orders/{order.pk}/pdf/']")
    status, kind, content = download(browser, link)
    assert status == 200 and kind == "application/pdf"
    assert content.startswith(b"%PDF-")
    words = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    assert say(language, "Sales order %(number)s") % {"number": order.number} in words
    assert say(language, "Unit price") in words and COMPANY in words

    # a contract from the order, for the order's amount
    browser.find_element(By.ID, "order-contract").click()
    until_url(browser, f"/sales/contracts/create/?order={order.pk}")
    assert Decimal(browser.find_element(By.NAME, "amount").get_attribute("value")) == order.total
    fill(browser, "title", f"{COMPANY} 采购合同")
    fill(browser, "start_date", "2026-01-01")
    fill(browser, "end_date", "2026-12-31")
    shot(browser, language, "manager-7-contract")
    send(browser, "title")
    contract = wait(browser).until(lambda driver: Contract.objects.filter(order=order).first())
    until_url(browser, f"/sales/contracts/{contract.pk}/")
    assert contract.amount == order.total and contract.customer_id == customer.pk
    no_script_errors(browser)


CSV = (
    "客户名称,行业,客户等级,联系电话,客户备注信息,内部编号\n"
    "北京远航物流有限公司,软件,重点客户,010-8888 6666,老客户介绍,X-1\n"
    "武汉金桥医院,医疗,B,027-6666 8888,展会名片,X-2\n"
)


@pytest.mark.worker
@pytest.mark.parametrize("language", LANGUAGES)
def test_manager_imports_a_csv_with_chinese_headers_through_mapping_and_dry_run(
    journey_browser, live_server, language, tmp_path
):
    browser = journey_browser
    world = build_world()
    use_language(world.users["manager"], language)
    upload = tmp_path / "客户.csv"
    upload.write_text(CSV, encoding="utf-8-sig")
    existing = Customer.objects.count()

    sign_in(browser, live_server, "manager")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        # the import, opened from the customer list, and the file uploaded
        open_page(browser, live_server, "/customers/")
        browser.find_element(By.ID, "import-customers").click()
        wait(browser).until(lambda driver: driver.find_elements(By.ID, "upload-submit"))
        browser.find_element(By.ID, "id_file").send_keys(str(upload))
        shot(browser, language, "manager-8-import-upload")
        browser.find_element(By.ID, "upload-submit").click()

        # the columns: the Chinese headers are recognised; the notes column is mapped by hand
        wait(browser, 30).until(lambda driver: driver.find_elements(By.ID, "import-mapping"))
        assert Select(browser.find_element(By.NAME, "column_0")).first_selected_option.get_attribute("value") == "name"
        assert Select(browser.find_element(By.NAME, "column_1")).first_selected_option.get_attribute("value") == (
            "industry"
        )
        fill(browser, "column_4", "notes")
        shot(browser, language, "manager-9-import-columns")
        browser.find_element(By.ID, "dry-run").click()

        # the dry run previews the Chinese choice values as labels in the manager's language, saves nothing
        wait(browser, 30).until(lambda driver: driver.find_elements(By.ID, "confirm-import"))
        preview = browser.find_element(By.ID, "dry-run-preview").text
        assert label(language, Customer.Industry.IT) in preview
        assert label(language, Customer.Industry.HEALTHCARE) in preview
        assert "healthcare" not in preview and "it" not in preview.split()
        assert say(language, "create") in preview
        assert "内部编号" in browser.find_element(By.ID, "unmapped-columns").text
        assert Customer.objects.count() == existing
        shot(browser, language, "manager-10-import-dry-run")

        # confirmed: the import runs in the background, its progress shown until it is done
        browser.find_element(By.ID, "confirm-import").click()
        wait(browser, 60).until(lambda driver: driver.find_element(By.ID, "job-status").text == say(language, "Done"))
        no_server_error(browser)
        shot(browser, language, "manager-11-import-done")

    names = ["北京远航物流有限公司", "武汉金桥医院"]
    imported = dict(Customer.objects.filter(name__in=names).values_list("name", "industry"))
    assert imported == {"北京远航物流有限公司": "it", "武汉金桥医院": "healthcare"}
    assert Customer.objects.get(name="武汉金桥医院").notes == "展会名片"
