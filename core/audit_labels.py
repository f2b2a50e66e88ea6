"""Names people read for the audit log's action codes (``clue.dismiss`` → 风险线索 · 排除).

A code is ``<what>.<act>``; both halves have a label here, so a new action of a known kind
reads right without a new entry, and an unknown one shows its code rather than nothing.
"""

from django.utils.translation import gettext_lazy as _

WHAT = {
    "grid": _("网格"),
    "assignment": _("网格人员"),
    "household": _("农户"),
    "person": _("家庭成员"),
    "visit": _("走访"),
    "application": _("自主申报"),
    "clue": _("风险线索"),
    "review": _("月度研判"),
    "case": _("监测对象"),
    "plan": _("帮扶计划"),
    "measure": _("帮扶措施"),
    "rule": _("帮扶规则"),
    "comparison": _("部门数据比对"),
    "batch": _("部门数据批次"),
    "monitoring_line": _("监测范围"),
    "signal": _("比对信号"),
    "auth": _("账号"),
    "client": _("接口客户端"),
}
ACT = {
    "create": _("新建"),
    "update": _("修改"),
    "change": _("修改"),
    "delete": _("删除"),
    "move": _("调整网格"),
    "close": _("注销"),
    "add": _("新增"),
    "remove": _("减少"),
    "reveal_id": _("查看完整身份证号"),
    "record": _("登记"),
    "submit": _("提交"),
    "verify": _("开始核实"),
    "result": _("录入结果"),
    "complete": _("办结"),
    "raise": _("发现"),
    "merge": _("合并证据"),
    "bulk_raise": _("批量发现"),
    "confirm": _("确认"),
    "dismiss": _("排除"),
    "approve": _("审核通过"),
    "return": _("退回"),
    "refresh": _("刷新"),
    "item_add": _("添加农户"),
    "item_set": _("填写研判意见"),
    "identify": _("识别纳入"),
    "eliminate": _("风险消除"),
    "rollback": _("回退风险消除"),
    "note": _("记录帮扶调整"),
    "import": _("导入"),
    "run_start": _("发起比对"),
    "run_resume": _("继续比对"),
    "replace": _("替换"),
    "evidence": _("补充佐证"),
    "planned": _("改为计划中"),
    "in_progress": _("改为实施中"),
    "implemented": _("落实"),
    "not_implemented": _("未落实"),
    "cancelled": _("取消"),
    "rule_change": _("修改规则"),
    "signal_change": _("修改信号"),
    "end": _("离任"),
    "login": _("登录"),
    "logout": _("退出登录"),
    "login_failed": _("登录失败"),
    "locked_out": _("登录锁定"),
    "unlocked": _("解除锁定"),
    "user_created": _("新建账号"),
    "user_changed": _("修改账号"),
    "user_deleted": _("删除账号"),
    "password_changed": _("修改密码"),
    "groups_added": _("加入权限组"),
    "groups_removed": _("移出权限组"),
    "permissions_added": _("授予权限"),
    "permissions_removed": _("收回权限"),
    "group_permissions_added": _("权限组授予权限"),
    "group_permissions_removed": _("权限组收回权限"),
    "group_created": _("新建权限组"),
    "group_changed": _("修改权限组"),
    "group_deleted": _("删除权限组"),
    "second_factor_set": _("设置两步验证"),
    "backup_codes_renewed": _("更换备用验证码"),
    "token_issue": _("签发令牌"),
    "token_revoke": _("吊销令牌"),
    "active": _("启用或停用"),
}


def action_label(code: str) -> str:
    """The readable name of an audit action code (the code itself when unknown)."""
    what, _sep, act = (code or "").partition(".")
    if what in WHAT and act in ACT:
        return f"{WHAT[what]} · {ACT[act]}"
    return code
