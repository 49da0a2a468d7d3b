from django.db import migrations

# The CRM's own help: a short guide per module, in Simplified Chinese and English. Administrators
# can edit them afterwards (they are ordinary knowledge-base articles with a help module).
GUIDES = {
    "customers": {
        "zh-hans": (
            "客户管理指南",
            "客户列表支持按名称、电话、邮箱或联系人搜索，并可按生命周期阶段、级别、行业等筛选。\n\n"
            "新建客户时系统会提示可能的重复客户；在客户详情页可以添加联系人、记录客户沟通记录、安排跟进任务。\n\n"
            "客户 360 视图把沟通、跟进、关怀、服务工单和满意度调查放在一条时间线上。"
            "导入导出在后台运行，页面会显示进度。",
        ),
        "en": (
            "Customers guide",
            "Search the customer list by name, phone, e-mail or contact, and filter it by lifecycle stage, level "
            "or industry.\n\nWhen you add a customer the CRM warns about likely duplicates. On the customer page you "
            "add contacts, record communications and schedule follow-up tasks.\n\nThe customer 360 timeline shows "
            "communications, follow-ups, care actions, service tickets and satisfaction answers in one place. Imports "
            "and exports run in the background and show their progress.",
        ),
    },
    "marketing": {
        "zh-hans": (
            "市场营销指南",
            "在市场营销活动中记录活动类型、预算和目标客户群。活动发布后系统在后台发送邀请，"
            "公开报名页面使用签名链接。活动结束后可以查看签到率、满意度调查结果和投入产出。",
        ),
        "en": (
            "Marketing guide",
            "A campaign records its type, budget and target groups. Publishing an event sends the invitations in the "
            "background; the public registration page opens through a signed link. After the event, see the "
            "attendance rate, the satisfaction answers and the return on the cost.",
        ),
    },
    "sales": {
        "zh-hans": (
            "销售管理指南",
            "销售线索可以手动分配或按团队轮流分配，并可转化为客户、联系人和销售机会。"
            "销售机会在看板中拖动即可更改阶段；销售订单和合同记录金额、状态与到期提醒。",
        ),
        "en": (
            "Sales guide",
            "Leads are assigned by hand or round-robin within a team and convert into a customer, a contact and an "
            "opportunity. Drag opportunities across the pipeline board to change their stage; orders and contracts "
            "keep amounts, statuses and expiry reminders.",
        ),
    },
    "service": {
        "zh-hans": (
            "客户服务指南",
            "服务工单分为投诉、咨询、建议和故障四类，来自电话、邮件、网页表单或现场。"
            "“我的工单”“我的队列”“即将超时”“已超时”四个视图帮助客服人员安排工作。\n\n"
            "工单流程：新建 → 已分配 → 处理中 → 等待客户 → 已解决 → 已关闭，可以重新打开。"
            "等待客户期间 SLA 计时暂停；即将超时时提醒处理人，超时后升级给队列负责人。\n\n"
            "公开评论会通过邮件发给客户；内部评论只有同事可见。工单解决后，客户会收到满意度调查链接，"
            "低分会标记工单，由负责人跟进。",
        ),
        "en": (
            "Service guide",
            "Tickets are complaints, inquiries, suggestions or fault reports, arriving by phone, e-mail, the web form "
            "or in person. The views My tickets, My queues, Breaching soon and Overdue organise the day.\n\n"
            "The workflow is new → assigned → in progress → waiting on customer → resolved → closed, and a ticket can "
            "be reopened. The SLA clock pauses while waiting on the customer; the assignee is warned before a "
            "deadline and the queue's manager is alerted when it passes.\n\nPublic comments are e-mailed to the "
            "customer; internal comments stay with the team. A resolved ticket sends the customer a satisfaction "
            "survey, and a low score flags the ticket for the manager to follow up.",
        ),
    },
    "reports": {
        "zh-hans": (
            "报表与仪表盘指南",
            "首页显示与您角色相关的数字和图表。服务统计页面显示工单量、首次响应和解决时间、SLA 达成率以及满意度趋势。",
        ),
        "en": (
            "Reports guide",
            "The home page shows the figures and charts of your role. Service statistics show ticket volumes, first "
            "response and resolution times, SLA compliance and the satisfaction trend.",
        ),
    },
    "administration": {
        "zh-hans": (
            "系统管理指南",
            "系统管理员在管理后台维护用户、团队、角色和权限。每个角色对每个模块有一个数据范围："
            "本人、团队或全部。用户行为日志记录登录、修改、删除和导出操作。"
            "服务队列、SLA 策略和工作日历（含节假日和调休）也在管理后台设置。",
        ),
        "en": (
            "Administration guide",
            "Administrators keep users, teams, roles and permissions in the administration site. Each role has a "
            "record scope per module: own, team or all. The behaviour log records sign-ins, changes, deletions and "
            "exports. Service queues, SLA policies and working calendars (with holidays and make-up working days) "
            "are set up there too.",
        ),
    },
}


def seed_help(apps, schema_editor):
    Article = apps.get_model("service", "Article")
    for module, languages in GUIDES.items():
        for language, (title, body) in languages.items():
            Article.objects.get_or_create(
                help_module=module, language=language, defaults={"title": title, "body": body, "status": "published"}
            )


def remove_help(apps, schema_editor):
    apps.get_model("service", "Article").objects.exclude(help_module="").delete()


class Migration(migrations.Migration):
    dependencies = [("service", "0002_role_permissions")]

    operations = [migrations.RunPython(seed_help, remove_help)]
