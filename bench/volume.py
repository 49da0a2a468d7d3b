"""Benchmark volume beyond the customers: leads, opportunities, tickets and communication records, generated
inside PostgreSQL (``INSERT … SELECT … FROM generate_series``), so a million rows take a minute or two and no
Python row building. Customers and contacts come from ``seed_demo --customers`` (COPY), which these rows point at.

Loading is additive and idempotent by target: each table is topped up to the wanted number of generated rows.
The rows are believable enough for plans and timings (Chinese and Latin names and subjects, spread over two
years, owners among the demo's sales users, tickets in the demo's queue), not for reading.
"""

import time

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
GIVEN = "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 桂英 建华 志强 晓东 海燕 春梅 国栋".split()
CITIES = ["北京", "上海", "深圳", "杭州", "广州", "成都", "南京", "苏州", "武汉", "西安", "天津", "重庆"]
WORDS = ["华信", "创达", "恒通", "远航", "金桥", "新锐", "博源", "天成", "嘉禾", "瑞丰", "鼎盛", "宏图", "众合", "蓝海"]
TRADES = ["科技", "贸易", "制造", "物流", "电子", "医疗器械", "教育咨询", "软件", "食品", "新能源"]
EN_NAMES = ["Northwind", "Contoso", "Fabrikam", "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli"]
SUBJECTS = ["发票金额错误", "设备无法开机", "物流延迟", "退货申请", "安装预约", "软件升级失败", "账户无法登录",
            "Invoice is wrong", "Printer jams", "Delivery late", "Password reset", "Refund request"]  # fmt: skip
TICKET_STATUSES = ["new", "assigned", "in_progress", "waiting", "resolved", "closed", "closed", "closed"]
COMM_SUBJECTS = ["电话回访", "上门拜访", "方案讲解", "报价沟通", "合同洽谈", "Follow-up call", "Demo", "Quote"]

# A random element of a text array literal, chosen per row.
PICK = "(%s::text[])[1 + floor(random() * cardinality(%s::text[]))::int]"


def _pick(values):
    return PICK, [values, values]


def generated(cursor, table: str, marker_sql: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {table} WHERE {marker_sql}")
    return cursor.fetchone()[0]


def _users(cursor):
    cursor.execute(
        "SELECT array_agg(id ORDER BY id), array_agg(team_id ORDER BY id) FROM accounts_user "
        "WHERE username IN ('rep', 'rep2', 'rep3', 'manager')"
    )
    return cursor.fetchone()


def _customer_range(cursor):
    cursor.execute("SELECT min(id), max(id) FROM customers_customer WHERE created_by_id IS NULL")
    return cursor.fetchone()


def load_leads(cursor, missing: int) -> None:
    owners, teams = _users(cursor)
    cursor.execute(
        f"""
        INSERT INTO sales_lead (created_at, updated_at, name, company, title, phone, email, source, status, owner_id,
                                team_id, notes, disqualified_reason, touched_at, search_document, search_grams)
        SELECT created, created, name, company, '', phone, 'lead' || g || '@example.com', 'website',
               (ARRAY['new', 'contacted', 'qualified', 'disqualified'])[1 + mod(g, 4)],
               (%s::bigint[])[1 + mod(g, cardinality(%s::bigint[]))],
               (%s::bigint[])[1 + mod(g, cardinality(%s::bigint[]))],
               'bench', '', created, doc, crm_search_grams(doc)
        FROM (
            SELECT g, created, name, company, phone,
                   lower(name || ' ' || company || ' ' || phone || ' ' || 'lead' || g || '@example.com') AS doc
            FROM (
                SELECT g, now() - random() * interval '720 days' AS created,
                       CASE WHEN random() < 0.75 THEN {PICK} || {PICK} ELSE {PICK} || ' Smith' END AS name,
                       {PICK} || {PICK} || {PICK} || '有限公司' AS company,
                       '13' || lpad((floor(random() * 1e9))::bigint::text, 9, '0') AS phone
                FROM generate_series(1, %s) AS g
            ) AS raw
        ) AS rows
        """,
        [owners, owners, teams, teams, SURNAMES, SURNAMES, GIVEN, GIVEN, EN_NAMES, EN_NAMES, CITIES, CITIES, WORDS,
         WORDS, TRADES, TRADES, missing],
    )  # fmt: skip


def load_opportunities(cursor, missing: int) -> None:
    owners, teams = _users(cursor)
    low, high = _customer_range(cursor)
    cursor.execute("SELECT id FROM sales_pipeline WHERE is_default")
    pipeline = cursor.fetchone()[0]
    cursor.execute(
        'SELECT array_agg(id ORDER BY "order") FILTER (WHERE NOT is_won AND NOT is_lost), '
        "min(id) FILTER (WHERE is_won), min(id) FILTER (WHERE is_lost) FROM sales_stage WHERE pipeline_id = %s",
        [pipeline],
    )
    open_stages, won, lost = cursor.fetchone()
    cursor.execute(
        """
        INSERT INTO sales_opportunity (name, customer_id, pipeline_id, stage_id, status, amount, currency,
            expected_close_date, owner_id, team_id, next_step, close_reason, closed_at, stage_entered_at, description,
            version, created_at, updated_at)
        SELECT 'bench ' || g, %s + floor(random() * (%s - %s + 1))::bigint, %s,
               CASE WHEN roll < 0.6 THEN (%s::bigint[])[1 + mod(g, cardinality(%s::bigint[]))]
                    WHEN roll < 0.8 THEN %s ELSE %s END,
               CASE WHEN roll < 0.6 THEN 'open' WHEN roll < 0.8 THEN 'won' ELSE 'lost' END,
               (1 + floor(random() * 500)) * 1000, CASE WHEN mod(g, 10) = 0 THEN 'USD' ELSE 'CNY' END,
               current_date + (floor(random() * 210) - 30)::int,
               (%s::bigint[])[1 + mod(g, cardinality(%s::bigint[]))],
               (%s::bigint[])[1 + mod(g, cardinality(%s::bigint[]))],
               '', '', CASE WHEN roll >= 0.6 THEN now() - random() * interval '365 days' END, created, '', 1,
               created, created
        FROM (SELECT g, random() AS roll, now() - random() * interval '720 days' AS created
              FROM generate_series(1, %s) AS g) AS rows
        """,
        [low, high, low, pipeline, open_stages, open_stages, won, lost, owners, owners, teams, teams, missing],
    )


def load_tickets(cursor, missing: int) -> None:
    low, high = _customer_range(cursor)
    cursor.execute("SELECT q.id, array_agg(m.user_id) FROM service_queue q JOIN service_queue_members m "
                   "ON m.queue_id = q.id GROUP BY q.id ORDER BY q.id LIMIT 1")  # fmt: skip
    queue, agents = cursor.fetchone()
    cursor.execute(
        f"""
        INSERT INTO service_ticket (created_at, updated_at, subject, description, type, channel, priority, status,
            customer_id, queue_id, assignee_id, requester_name, requester_email, requester_phone, sla_paused_seconds,
            response_breached, resolution_breached, needs_follow_up, search_document, search_grams, language)
        SELECT created, created, subject, 'bench', 'inquiry', 'phone', 'normal',
               (%s::text[])[1 + mod(g, 8)],
               %s + floor(random() * (%s - %s + 1))::bigint, %s,
               (%s::bigint[])[1 + mod(g, cardinality(%s::bigint[]))], '', '', '', 0, false, false, false,
               lower(subject), crm_search_grams(lower(subject)), ''
        FROM (SELECT g, now() - random() * interval '720 days' AS created, {PICK} || ' ' || g AS subject
              FROM generate_series(1, %s) AS g) AS rows
        """,
        [TICKET_STATUSES, low, high, low, queue, agents, agents, SUBJECTS, SUBJECTS, missing],
    )  # fmt: skip


def load_communications(cursor, missing: int) -> None:
    owners, _teams = _users(cursor)
    low, high = _customer_range(cursor)
    cursor.execute(
        f"""
        INSERT INTO customers_communication (created_at, updated_at, customer_id, occurred_at, channel, subject,
            content, result, next_step, owner_id)
        SELECT occurred, occurred, %s + floor(random() * (%s - %s + 1))::bigint, occurred,
               (ARRAY['phone', 'visit', 'meeting', 'email', 'wechat'])[1 + mod(g, 5)], {PICK}, 'bench', '', '',
               (%s::bigint[])[1 + mod(g, cardinality(%s::bigint[]))]
        FROM (SELECT g, now() - random() * interval '720 days' AS occurred FROM generate_series(1, %s) AS g) AS rows
        """,
        [low, high, low, COMM_SUBJECTS, COMM_SUBJECTS, owners, owners, missing],
    )


TABLES = {
    # name: (table, SQL recognising generated rows, loader)
    "leads": ("sales_lead", "notes = 'bench'", load_leads),
    "opportunities": ("sales_opportunity", "name LIKE 'bench %%'", load_opportunities),
    "tickets": ("service_ticket", "description = 'bench'", load_tickets),
    "communications": ("customers_communication", "content = 'bench'", load_communications),
}


def top_up(target: int, names=tuple(TABLES)) -> None:
    """Bring each table's generated rows up to ``target``, in batches of 200,000 (one transaction each)."""
    from django.db import connection, transaction

    for name in names:
        table, marker, load = TABLES[name]
        with connection.cursor() as cursor:
            have = generated(cursor, table, marker.replace("%%", "%"))
        missing = max(target - have, 0)
        print(f"Generated {name} present: {have:,}; loading {missing:,}", flush=True)
        if not missing:
            continue
        started = time.monotonic()
        while missing:
            size = min(missing, 200_000)
            with transaction.atomic(), connection.cursor() as cursor:
                load(cursor, size)
            missing -= size
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        print(f"  loaded in {time.monotonic() - started:.1f} s", flush=True)
