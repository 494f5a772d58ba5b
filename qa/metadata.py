"""Rules that read a document's metadata from its own header text.

They run on any new document (`python -m qa add`); the catalogue keeps the
curated values and overrides where the text is masked or silent.  Each rule
returns "" / None when the text does not state the field, never a guess.
"""
from __future__ import annotations

import re

# Province of the prefecture-level cities we can name; a city outside this
# table leaves `province` empty for the catalogue to fill.
CITY_PROVINCE = {
    "北京市": "北京市", "上海市": "上海市", "天津市": "天津市", "重庆市": "重庆市",
    "福州市": "福建省", "厦门市": "福建省", "泉州市": "福建省", "漳州市": "福建省", "莆田市": "福建省",
    "平顶山市": "河南省", "郑州市": "河南省", "洛阳市": "河南省", "开封市": "河南省", "南阳市": "河南省",
    "温州市": "浙江省", "杭州市": "浙江省", "宁波市": "浙江省", "绍兴市": "浙江省", "台州市": "浙江省",
    "淄博市": "山东省", "济南市": "山东省", "青岛市": "山东省", "烟台市": "山东省", "潍坊市": "山东省",
    "南京市": "江苏省", "苏州市": "江苏省", "无锡市": "江苏省", "徐州市": "江苏省",
    "广州市": "广东省", "深圳市": "广东省", "武汉市": "湖北省", "长沙市": "湖南省", "成都市": "四川省",
    "西安市": "陕西省", "合肥市": "安徽省", "南昌市": "江西省", "石家庄市": "河北省", "太原市": "山西省",
    "沈阳市": "辽宁省", "长春市": "吉林省", "哈尔滨市": "黑龙江省", "昆明市": "云南省", "贵阳市": "贵州省",
    "南宁市": "广西壮族自治区", "海口市": "海南省", "兰州市": "甘肃省", "西宁市": "青海省",
    "银川市": "宁夏回族自治区", "乌鲁木齐市": "新疆维吾尔自治区", "呼和浩特市": "内蒙古自治区", "拉萨市": "西藏自治区",
}
_MUNICIPALITIES = {"北京市", "上海市", "天津市", "重庆市"}

_ISSUER = re.compile(
    r"^(?P<issuer>(?P<province>[\u4e00-\u9fa5]{2,5}?(?:省|自治区))?(?:(?P<city>[\u4e00-\u9fa5]{2,5}?市))?"
    r"(?P<district>[\u4e00-\u9fa5]{1,5}?[区县])?"
    r"[\u4e00-\u9fa5]{0,6}?(?:卫生健康局|卫生健康委员会|卫生和计划生育委员会|卫生健康委|卫健委|卫健局|卫生局))(?:文件)?$"
)
# 文号: agency abbreviation + year in 〔〕/（）/() /[] + number + 号
_DOC_NUMBER = re.compile(r"(?P<num>[\u4e00-\u9fa5]{1,8}\s*[〔（(\[［]\s*(?P<year>(?:19|20)\d{2})\s*[〕）)\]］]\s*\d{1,4}\s*号)")
_DATE = re.compile(r"^(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日$")
_SIGNER = re.compile(r"签\s*发\s*人\s*[:：]\s*(?P<name>[\u4e00-\u9fa5]{2,4})")
_NOTICE_TITLE = re.compile(r"关于印发\s*《(?P<title>[^》]{4,60})》\s*的通知")
_TITLE_LINE = re.compile(r"^(?P<title>[^，。；,;:：]{4,40}(?:要点|安排|方案|计划|总结|思路|意见|规划|办法))$")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")
# a section heading (一、 （一） 1. 一是) is never the document's title
_HEADING_MARK = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、是]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.．、])")


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def extract_metadata(text: str, *, head_lines: int = 30) -> dict:
    """Metadata fields the text itself states, from its first lines.

    Returns a dict with the DocMeta field names (title, issuer, province,
    city, district, year, doc_number, date, signer); unknown → "" / None.
    """
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()][:head_lines]
    out: dict = {"title": "", "issuer": "", "province": "", "city": "", "district": "",
                 "year": None, "doc_number": "", "date": "", "signer": ""}

    for ln in lines[:8]:
        m = _ISSUER.match(_squash(ln))
        if m:
            out["issuer"] = m.group("issuer")
            out["city"] = m.group("city") or ""
            out["district"] = m.group("district") or ""
            out["province"] = m.group("province") or ""
            break

    for ln in lines[:10]:
        m = _DOC_NUMBER.search(ln)
        if m and len(_squash(ln)) <= 30:  # a line of its own, not a citation in prose
            out["doc_number"] = _squash(m.group("num"))
            out["year"] = int(m.group("year"))
            break

    for ln in lines:
        m = _DATE.match(ln)
        if m:
            out["date"] = f"{int(m['y']):04d}-{int(m['m']):02d}-{int(m['d']):02d}"
            break

    for ln in lines[:10]:
        m = _SIGNER.search(ln)
        if m:
            out["signer"] = m.group("name")
            break

    out["title"] = _find_title(lines)
    if out["year"] is None and out["title"]:
        m = _YEAR_IN_TITLE.search(out["title"])
        if m:
            out["year"] = int(m.group(1))
    if out["year"] is None and out["date"]:
        out["year"] = int(out["date"][:4])

    if out["city"] and not out["province"]:
        out["province"] = CITY_PROVINCE.get(out["city"], "")
    if out["city"] in _MUNICIPALITIES:
        out["province"] = out["city"]
    return out


def _find_title(lines: list[str]) -> str:
    for ln in lines[:12]:
        m = _NOTICE_TITLE.search(_squash(ln))
        if m:
            return m.group("title")
    for ln in lines[:12]:
        m = _TITLE_LINE.match(_squash(ln))
        if m and not ln.startswith(("关于", "附件")) and not _HEADING_MARK.match(ln.strip()):
            return m.group("title")
    return ""


def title_line_index(lines: list[str], title: str) -> int | None:
    """Index of the body's own title line (the line that equals the title)."""
    target = _squash(title)
    if not target:
        return None
    for i, ln in enumerate(lines):
        if _squash(ln) == target:
            return i
    return None
