"""The measure a figure question asks in: its unit (多少亿元 → 亿元, 几所 → 所, "how much money" → 元), whether it
asks a rate or share (签约率多少, what percentage), and whether a text states a figure in that unit (人 and 名 alike;
家, 所 and a 个 after the noun alike). Split from `qa.answering.asked`, which re-exports it.
"""
from __future__ import annotations

import re

from ..indexing.script import simplified
from ..search.query import Query

# a unit written right after 多少/几 ("多少亿元", "多少岁", "几家"): the answer must carry it
# (measures only: "哪几个/几家" can be answered by naming them)
_ASKED_UNIT = re.compile(r"(?:多少|(?<![哪好这那近前])几)(亿元|万元|元|岁|张|小时|分钟|平方米|辆|台|处|名|家|所|人|次|项|套|床)")

# money asked for in English ("How much money/funding has X budgeted"): the figure is in 元
_ASKS_MONEY_EN = re.compile(r"\bhow much (?:money|funding|funds|budget|investment|subsidy|subsidies)\b|"
                            r"\bhow much (?:[\w-]+ ){0,6}?(?:cost|spend|invest|budget)(?:ed|s)?\b", re.IGNORECASE)


# money asked for in Chinese without its unit ("安排了多少专项经费", "总投资多少", "补助标准是多少钱"): the figure is in 元
_ASKS_MONEY_ZH = re.compile(r"多少[\u4e00-\u9fff]{0,4}?(?:经费|资金|钱|费用|投资|投入)|"
                            r"(?:经费|资金|投资|投入|费用)(?:是|为|有|达到|共|总计|合计)?多少")


def asked_unit(query: Query) -> str:
    """The unit a figure question asks in (多少亿元 → 亿元, 几所 → 所; "How much money…", 多少经费 → 元), or ""."""
    m = _ASKED_UNIT.search(query.text)
    if m:
        return m.group(1)
    return "元" if _ASKS_MONEY_EN.search(query.text) or _ASKS_MONEY_ZH.search(query.text) else ""


# a question for a rate: "签约率要达到多少", "覆盖率是多少", "多大比例", "what percentage/rate"
# 比 names a ratio (医护比, 占比) unless it compares with something ("比计划早了几年", "比去年多几家", "相比…"):
# asked how much earlier or more, a count answers, not a share
_COMPARED = r"(?<![相对])比(?!计划|原计划|预期|预定|去年|上年|往年|上一年|前一年|以前|过去|原来|同期|规定|要求)"
ASKS_RATE = re.compile(r"(?:率|" + _COMPARED + r")[^，,。？?]{0,6}(?:多少|几)|(?:多大|多少)(?:的)?(?:比例|比重|占比)|百分之几|\bwhat (?:[\w-]+ ){0,4}?(?:rate|percentage|proportion)s?\b|"
                       r"\bper ?cent\b", re.I)
# 全覆盖: all of them, a rate of 100%; 千分之五, 1/10万, a ratio 1:1.25 (医护比) answer a rate or ratio too
RATE = re.compile(r"[%％‰]|[百千万]分之|/\s*\d*\s*万|[一二三四五六七八九十]成|全覆盖|全部覆盖|\d\s*[:：∶]\s*\d"
                  r"|率\s*\d+(?:\.\d+)?(?![\d.]*\s*[年月日号])")  # 满意率98.01: a rate printed without its %


# people are counted in 名 or 人 alike: "为多少名孕产妇筛查" is answered by "产前筛查5000人"; institutions in 家, 所
# or the general 个 after what it counts ("有多少家诊所" is answered by "个体诊所113个", not by "3个月" or "三个方面")
_GE_AFTER = r"个(?![\u4e00-\u9fff])"
_SAME_UNIT = {"名": ("名", "人"), "人": ("人", "名"), "家": ("家", "所", _GE_AFTER), "所": ("所", "家", _GE_AFTER)}


def unit_present(unit: str, texts) -> bool:
    # x家: a masked copy; 1000余名, 12.8万名, 3千多人: a magnitude or "more than" between number and unit
    units = "|".join(u if u == _GE_AFTER else re.escape(u) for u in _SAME_UNIT.get(unit, (unit,)))
    # not an ordinal's numeral (第二人民医院: 二人 is no count of people)
    pat = re.compile(r"(?:\d[\d.,]*|[xX]+|(?<![第零一二两三四五六七八九十百千万])[零一二两三四五六七八九十百千万]+)\s*[余多万千百亿]*\s*"
                     r"(?:" + units + r")")
    if unit == "项":  # 五大重点工作任务, 十大行动: a count of items without the 项
        pat = re.compile(pat.pattern + r"|(?<![一二三四五六七八九十])[二两三四五六七八九十]大(?!以来|精神|报告|代表)")
    return any(pat.search(simplified(t)) for t in texts)  # a 繁體 copy's 億元 is 亿元
