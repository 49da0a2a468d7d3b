"""A sales manager imports a CSV with Chinese headers by clicking, in zh-Hans: upload, columns, dry run, import."""

import pytest
from celery.contrib.testing.worker import start_worker
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from crm.celery import app
from customers.models import Customer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CSV = (
    "客户名称,行业,客户等级,联系电话,客户备注信息,内部编号\n"
    "杭州云杉智能科技有限公司,软件,重点客户,0571-8888 6666,老客户介绍,X-1\n"
    "武汉金桥医院,医疗,B,027-6666 8888,展会名片,X-2\n"
)


def test_manager_imports_a_chinese_csv_through_columns_and_dry_run_by_clicking(browser, live_server, manager, tmp_path):
    wait = WebDriverWait(browser, 20)
    upload = tmp_path / "客户.csv"
    upload.write_text(CSV, encoding="utf-8-sig")

    # given a manager signed in, reading the app in Chinese
    browser.get(f"{live_server.url}/accounts/login/")
    browser.find_element(By.NAME, "username").send_keys("mona")
    browser.find_element(By.NAME, "password").send_keys("secret-pass-123")
    browser.find_element(By.ID, "login-submit").click()
    wait.until(EC.presence_of_element_located((By.ID, "my-numbers")))
    browser.find_element(By.ID, "lang-zh-hans").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "html[lang='zh-hans']")))

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        # when they open the import from the customer list and upload the file
        browser.get(f"{live_server.url}/customers/")
        browser.find_element(By.ID, "import-customers").click()
        wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "导入客户"))
        browser.find_element(By.ID, "id_file").send_keys(str(upload))
        browser.find_element(By.ID, "upload-submit").click()

        # then the columns page has guessed the Chinese headers; they map the notes column by hand
        wait.until(EC.presence_of_element_located((By.ID, "import-mapping")))
        assert Select(browser.find_element(By.NAME, "column_0")).first_selected_option.get_attribute("value") == "name"
        assert Select(browser.find_element(By.NAME, "column_1")).first_selected_option.get_attribute("value") == (
            "industry"
        )
        Select(browser.find_element(By.NAME, "column_4")).select_by_value("notes")
        browser.find_element(By.ID, "dry-run").click()

        # and the dry run, run by the worker, previews labels in Chinese and names the column left out
        wait.until(EC.presence_of_element_located((By.ID, "confirm-import")))
        preview = browser.find_element(By.ID, "dry-run-preview").text
        assert "信息技术" in preview and "医疗健康" in preview and "新建" in preview
        assert "healthcare" not in preview and "it" not in preview.split()
        assert "内部编号" in browser.find_element(By.ID, "unmapped-columns").text
        assert Customer.objects.count() == 0

        # when they confirm, the import runs with a progress page until it is done
        browser.find_element(By.ID, "confirm-import").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "job-status"), "已完成"))

    assert dict(Customer.objects.values_list("name", "industry")) == {
        "杭州云杉智能科技有限公司": "it",
        "武汉金桥医院": "healthcare",
    }
    assert Customer.objects.get(name="武汉金桥医院").notes == "展会名片"
