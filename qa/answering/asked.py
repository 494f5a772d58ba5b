"""What a question asks for, and whether a sentence carries it.

`asked_kind` names the kind of fact (a number for 多少/几/what rate, a date for 哪天/when, the title of a
document for 依据了哪个文件, an office holder for 哪位领导, organisations for 哪几个部门/牵头单位);
`carries(kind, sentence)` says whether a sentence states one. The sentence picker
(`qa.answering.pick`) scores by it, the answer (`qa.answering.answer`) keeps the sentence that carries
it first and refuses a figure question whose evidence states no figure.
"""
from __future__ import annotations

import re

from ..search.query import Query
from ..metadata.header import DOC_NUMBER
from ..indexing.script import simplified
from .furniture import _QUOTED
from .units import (  # noqa: F401 (re-exported: the measure a figure question asks in)
    ASKS_RATE, RATE, asked_unit, unit_present,
)

ASKS_NUMBER = re.compile(
    # 哪几类/哪几个 asks to name them; 好几家 (several), 几乎 (almost) and 这几年/那几层/近几年/前几年 (these
    # past few years, those few levels: a demonstrative) ask nothing
    r"多少|(?<![哪好这那近前])几(?!乎)[个项家所名年岁次类种天条批级件轮届]?|比例|比率|百分之|百分比|"
    r"\bwhat (?:[\w-]+ ){0,4}?(?:rate|percentage|share|proportion|number|target|level|amount|ratio)s?\b|"
    r"\bhow (?:many|much|high)\b|\bby how much\b|\bper ?cent\b", re.IGNORECASE)
# an English question that can only be answered with a figure ("what level/target" may be answered in
# words: "the national average"), so a plan that states none does not answer it
# ("What family doctor contract rate does X aim for": the indicator's name may stand between what and rate)
ASKS_FIGURE_EN = re.compile(r"\bhow (?:many|much)\b|\bwhat (?:[\w-]+ ){0,4}?(?:rate|percentage|share|proportion|number|amount|"
                            r"ratio)s?\b|\bper ?cent\b|"
                            # "What average life expectancy does X target", "What health literacy level does X aim to
                            # reach", "What maternal mortality target": a target or level of a measured indicator
                            r"\bwhat (?:[\w-]+ ){0,5}?(?:target|level|aim)s?\b(?=.*\b(?:mortality|expectancy|coverage|prevalence|"
                            r"incidence|literacy|density|beds?|per (?:1,?000|thousand|10,?000|100,?000))\b)|"
                            r"\bwhat (?:[\w-]+ ){0,5}?(?:mortality|expectancy|coverage|prevalence|incidence|literacy level)\b",
                            re.IGNORECASE)
ASKS_DATE = re.compile(r"哪天|哪一天|何时|什么时候|日期|几月|(?<![第多])几号(?![文件令]|的?文)|哪个月|时间安排|什么时间|哪段时间|起止时间|"
                       # "when" asks only as the question's word: "what did X forbid when data are audited" does not
                       r"^\W*when\b|\bby when\b|\b(?:and|or),? when\b|\bwhen (?:did|does|do|was|were|is|are|will|has|have|had|must|should|can)\b|"
                       r"\bby what date\b|\bdeadline\b|\bwhat date\b|"
                       r"\bwhich month\b", re.IGNORECASE)
ASKS_WHERE = re.compile(r"哪里|在哪|何地|地点|什么地方|\bwhere\b", re.I)
# organisations: "由哪几个部门牵头", "责任单位是哪些", "who leads" (a task list's 牵头单位/责任单位 columns)
ASKS_ORG = re.compile(r"哪(?:几)?(?:个|些|家)(?:部门|单位|科室|机构)|(?:牵头|责任|配合|协作|协办|主办|承办)(?:单位|部门|科室)|"
                      r"由谁|谁(?:来)?(?:牵头|负责|挑头|领头|抓总)|\bwhich (?:departments?|units?|agenc(?:y|ies)|bod(?:y|ies)|offices?|bureaus?)\b|"
                      r"\bwho (?:leads|is responsible|are responsible|is in charge|takes the lead)\b|"
                      r"\b(?:lead|responsible) (?:units?|departments?|agenc(?:y|ies))\b", re.IGNORECASE)
# the role a question asks about; a labelled list ("配合单位:…") answers only for its own role
_ROLE = re.compile(r"牵头|负责|责任|配合|协作|协办|参与|主办|承办")
_ROLE_EN = (("lead", "牵头"), ("responsib", "责任"), ("cooperat", "配合"), ("assist", "配合"))
_ORG_ITEM = re.compile(r"(?:局|委|委员会|办公室|办|院|中心|政府|部|部门|单位|队|站|所|会|社|馆|公司|科|处)$")
_ROLE_WORD = re.compile(r"^(?:主要)?(?:牵头|责任|配合|协作|协办|参与|主办|承办)*(?:单位|部门|科室)$")  # a label, not a unit
_LABEL = re.compile(r"^([\u4e00-\u9fa5]{2,8})[:：]\s*(.*)$")
_LABELLED_ORG = re.compile(r"(?:牵头|责任|配合|协作|协办|参与|主办|承办)?(?:单位|部门|科室)[:：]\s*[\u4e00-\u9fa5]{2,14}?"
                           r"(?:局|委|办|院|中心|政府|部门)")
# a figure: a number with a unit or percent sign (masked digits xx.x% too), or a counted Chinese numeral;
# not a year (2025年 is a date), not the 3 of "3+X", not 三个 in "三个全覆盖" (names, not figures)
HAS_NUMBER = re.compile(r"(?<![\d.届])(?!(?:19|20)\d\d\s*年)(?:\d+(?:\.\d+)?|[xX]+(?:\.[xX]+)?)\s*[余多]?\s*(?:[%％‰]|万|亿|元|名|家|所|个|岁|张|人|次|项|天|小时|分钟|周年|年|"
                        r"平方米|床|辆|支|批|条|例|倍|户|件|级|轮|届|处|"
                        # measure words of things handed out, built or held ("400瓶", "1250kg", "12场", "3期培训班")
                        r"瓶|台|套|座|间|份|场|期|班|盒|袋|箱|剂|针|株|册|篇|公里|千米|米|吨|公斤|千克|克|毫升|升|公顷|亩|"
                        r"kg|km)|百分之|(?!一批)[一二两三四五六七八九十百千万]+[余多]?[名家所岁元次批件级轮届]"
                        # a count in words of people or cases ("培训两千余人", "三十例"), not "一人一档"
                        r"|(?<![第一二两三四五六七八九十百千万])(?!一[人户例张台])[一二两三四五六七八九十百千万]+[余多]?"
                        r"[人户例张台]"  # 第二人民医院 counts nobody; "惠及30万人民群众" counts people
                        r"|(?<![A-Za-z])(?:I{1,3}|IV|V|[ⅠⅡⅢⅣⅤ])\s*级"  # a grade in Roman numerals (Ⅳ级, "(IV级)")
                        # a ratio (医护比1:1.25, 1∶0.6), not a clock time (08:56 of a portal row); per mille and
                        # per ten thousand in words
                        r"|(?<![\d.])(?!\d{1,2}[:：]\d\d(?![\d.]))\d+(?:\.\d+)?\s*[:：∶]\s*\d+(?:\.\d+)?|[千万]分之"
                        # a target with its unit left to the indicator's name: 医生数达到3.93, 预期寿命达到79.5,
                        # 满意度达90分以上 (not a year: 达到2025年)
                        r"|(?:达到|提高到|提升到|增加到|增长到|降低到|下降到|降至|控制在|保持在|稳定在|不低于|不少于|不高于|"
                        r"不超过|高于|低于|达)\s*\d+(?:\.\d+)?(?![\d.]*\s*[年月日])"
                        r"|\d+\s*分(?=以上|以下|及以上|左右|[，,。；;）)]|$)"
                        # an indicator's value right after its name: 群众满意率98.01, 知晓率85 (not 率2025年)
                        r"|(?<=[率度])\s*\d+(?:\.\d+)?(?![\d.]*\s*[年月日号])"
                        r"|(?<!\d)0\d{2,3}-\d{7,8}(?!\d)"  # a telephone number: "监督电话是多少" asks for one
                        # a table's figure cell: the unit is its 单位 column ("\t≥79.2 |", "\t78.2(2021年) |"), in a
                        # copy's pipe table too ("| 人 | 2.99 |", "| % | >65 |")
                        r"|(?:(?<=\t)|(?<=\|)|(?<=\|\s))[≥≤＞＜<>]?\s*\d+(?:\.\d+)?\s*[%％‰]?(?=\s*(?:\||\t|$|[（(]))")
# any count at all, names included ("两个毫不放松", "三项制度"): refusing a figure question needs the
# looser test, so that a count HAS_NUMBER leaves out for choosing sentences never makes us abstain
HAS_COUNT = re.compile(HAS_NUMBER.pattern + r"|[一二两三四五六七八九十]+[个项条类种]"
                       r"|(?<![一二三四五六七八九十])[二两三四五六七八九十]大(?!以来|精神|报告|代表)")  # 五大任务, not 十九大
# a document asked for by name ("依据了哪个文件", "落实哪份方案", "Which provincial action plan does X implement"):
# the answer quotes its title. English allows a few modifiers between "which" and the noun, none a
# determiner ("Which meeting approved the … plan" asks for a meeting)
ASKS_TITLE = re.compile(r"(?:哪|什么)(?:个|份|一|一份|一个|部)?(?:文件|方案|规划|意见|通知|纲要|行动计划|实施意见|指导意见)|"
                        # a plan's 办法 is a document, but 用/有/采取什么办法 asks how something is done
                        r"(?<![用有取靠想])(?:哪|什么)(?:个|份|一|一份|一个|部)?办法|"
                        r"依据(?:了)?(?:什么|哪)|"
                        # a report's or a speech's title is printed in 《》 too ("作了题为《…》的工作报告")
                        r"(?:报告|讲话|发言|演讲|讲座|致辞)(?:的)?(?:题目|标题|名称|题)(?:是|为|叫)?(?:什么|啥)|题为(?:什么|啥|何)|"
                        r"\btitle of (?:(?:the|his|her|its|their|a)\s+)?(?:[\w'-]+\s+){0,3}?(?:reports?|speech(?:es)?|address(?:es)?|"
                        r"talks?|lectures?|presentations?)\b|\b(?:reports?|speech|address|talk|lecture|presentation) (?:was |is )?"
                        r"(?:titled|entitled)\b|"
                        # "依据的省级规划是哪一个": the document named first, then asked which one it is
                        r"(?:文件|方案|规划|意见|通知|纲要|行动计划)(?:是|为)(?:哪|什么)(?:一)?(?:个|份|部)?(?:文件|规划)?[？?]?$|"
                        r"\b(?:which|what)(?:\s+(?!the\b|a\b|an\b|this\b|its\b)[\w'-]+){0,4}?\s+"
                        r"(?:plans?|documents?|opinions?|guidelines?|notices?|outlines?|programmes?|programs?|regulations?)\b"
                        r"(?=(?:\s+(?:for|on|of|about)\b[^?]{0,80}?)?\s+(?:does|do|did|is|are|was|were|will|must|should|has|have)\b)",
                        re.IGNORECASE)
HAS_TITLE = re.compile(r"《[^《》]{4,}》")
# a person asked for by office ("哪位领导出席", "Which official attended", "Who heads the leading group"):
# the answer names an office holder (局长刘某, 党组书记、局长任组长)
# who did what at a meeting (由谁来总结/部署/作报告, who presented/reported) asks for a person, as 谁出席 does;
# 由谁牵头/负责 asks for a unit (ASKS_ORG)
ASKS_PERSON = re.compile(r"哪(?:位|个|些)(?:领导|同志|官员|负责人|记者)|记者是谁|什么领导|谁(?:出席|参加|主持|讲话|担任|任组长)|由谁(?:担任|任)|"
                         r"谁来?(?:总结|部署|盘点|布置|宣读|介绍|作报告|作了|通报|传达|解读|点评|发言|致辞|讲解|汇报)|"
                         r"\bwho (?:presented|introduced|reported|read out|delivered|gave|summed up|reviewed|briefed|"
                         r"announced|explained|outlined|made)\b|"
                         r"\b(?:which|what)(?: [\w'-]+){0,2}? (?:reporters?|journalists?|correspondents?)\b|"
                         r"\bwhich (?:(?:deputy|vice|executive) )?(?:(?:county|district|city|town|township|municipal|party) )?"
                         r"(?:officials?|leaders?|heads?|mayors?|magistrates?|chiefs?|secretar(?:y|ies))\b|"
                         r"\bwho (?:attended|chaired|chairs|presided|spoke|heads|headed)\b|哪位(?:副)?[县区市镇乡]?长|"
                         # whose speech was relayed, 传达了谁的讲话: the speaker is asked
                         r"\bwhose (?:speech|remarks|address|instructions?|report|words|directives?)\b|"
                         r"谁的(?:讲话|指示|批示|报告|发言|致辞)|"
                         # a task list's leader column (责任领导：…): "who is the responsible leader", 责任领导是谁
                         r"\bwho (?:is|are|was|were) (?:the )?(?:[\w-]+ ){0,2}?(?:leaders?|heads?|officials?|chiefs?)\b|"
                         r"(?:领导|负责人|组长)(?:是|为)谁|谁(?:是|为)[^，,。？?]{0,10}(?:领导|负责人|组长)",
                         re.IGNORECASE)
# asked where a thing stands or an event was held (选址在哪里, 在什么地方召开, "where was the meeting held"); not the
# loose 哪里 of 钱从哪里出 / 交到哪里 / 在哪些方面, nor an English "where will X move …" whose answer is no place
ASKS_LOCATION = re.compile(r"选址|地址|何地|什么地方|在哪(?:里|儿)|设在哪|建在哪|"
                           r"\bwhere\b.*\b(?:held|located|sited|situated|convened|take place|took place)\b", re.I)
# a place a sentence can name as the answer: a town, street, road, park, building, room, or the unit it is in
_LOCATION = re.compile(r"[\u4e00-\u9fff](?:镇|乡|街道|街|路|村|社区|园区|小区|会议室|礼堂|大厦|大楼|广场|宾馆|酒店|会堂|"
                       r"体育馆|(?<!为)中心|医院|卫生院|基地)|[\d一二三四五六七八九十]+\s*(?:号|楼|层)")


def names_location(text: str, question: str) -> bool:
    """`text` names a place other than what the question itself names: 建成1个卫生应急文化园 says that the park
    will be built, not where; "徐行镇、新成路街道两家驿站" says where."""
    rest = text
    # the question's own words (3+ characters: 会议 must not cut 会议室 in two), longest first, are not the answer
    for n in range(min(len(question), 12), 2, -1):
        for i in range(len(question) - n + 1):
            part = question[i:i + n]
            if part in rest and not re.search(r"\s", part):
                rest = rest.replace(part, "|")
    return bool(_LOCATION.search(rest))


HAS_OFFICE = re.compile(r"(?:局|县|区|市|院|部|处|科|所|站|组|旗|盟|州|乡|镇|厅|会|队|校)长|秘书长|书记|主任|主席|委员|主委|同志|领导\s*[:：]"
                        r"|记者\s*[\u4e00-\u9fff]{2,3}(?:\s|通讯员|$)")  # a byline names its reporter: "XX日报记者某某 通讯员某某"
# "…的关爱行动叫什么名字", "What is the brand called": a plan names a thing it coins in quotes (“XX”关爱行动); an
# item's title writing one is then the answer, not a heading to pass over for the sentence after it (a bonus for
# every sentence writing a quoted name changed nothing on the development sets: the question's words already lead)
ASKS_CALLED = re.compile(r"叫(?:做)?什么|什么名字|名字是什么|名称(?:是什么|叫什么)|什么(?:称号|名号|口号)|口号是什么|"
                         r"\bwhat (?:is|was|are|were) (?:it |they )?called\b|\bcalled what\b|\bwhat (?:is|was) the name of\b|"
                         r"\b(?:which|what) (?:slogan|motto|brand)\b", re.IGNORECASE)
HAS_DATE = re.compile(r"\d{1,2}\s*月|(?:19|20)\d{2}\s*年|年底|年内|月底|底前|上半年|下半年")
# when a meeting was held (什么时候召开, "When did … hold its conference"): an event's date is a day, so the year
# the question itself names, or another year the report mentions, is no answer; "3月9日上午" is
_ASKS_EVENT = re.compile(r"召开|举行|举办|开幕|闭幕|\bheld\b|\bhold\b|\bconvened?\b|\bt(?:ake|ook) place\b", re.I)
HAS_DAY = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{1,2}\s*[日号](?:上午|下午|晚)?|[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日")


ASKS_DOC_NUMBER = re.compile(r"文号|发文字号|\b(?:document|reference|file) (?:number|no\.?)\b", re.I)


def asked_kind(query: Query) -> str:
    """'date' | 'day' | 'title' | 'person' | 'org' | 'number' | 'kinds' | 'several' | '' — the kind of fact asked for
    ('day': the date of an event, 什么时候召开; 'kinds': "哪些门类", "what kinds of": several named in a row, 中医、儿科、精神科;
    'several': "Which major diseases does…", two or more named in a row).

    A role asked about is appended to 'org' ("org:牵头"): a labelled list answers for its own role only.
    """
    if ASKS_DATE.search(query.text):
        return "day" if _ASKS_EVENT.search(query.text) else "date"
    if ASKS_TITLE.search(query.text) and query.place_doc_ids and query.which != "many":
        # of a plan the question names ("哪个文件提出…" naming none asks for the plan itself); a province or
        # city named above the plan's own place says whose document it cites ("Which <province> provincial
        # opinion does the district's plan cite"), appended as "title:<province>"
        return "title" + "".join(f":{n}" for n in _cited_places(query) or _cited_level(query.text))
    if ASKS_PERSON.search(query.text):
        return "person"
    if ASKS_ORG.search(query.text):  # before numbers: 哪几个部门 is no count
        m = _ROLE.search(query.text)
        role = m.group(0) if m else next((zh for en, zh in _ROLE_EN if en in query.text.lower()), "")
        return f"org:{role}" if role else "org"
    if ASKS_DOC_NUMBER.search(query.text):
        # the 文号 of a document the plan cites (a header question asks for the plan's own): no figure
        return "docnum"
    if ASKS_NUMBER.search(query.text):
        return "number"
    if ASKS_KINDS.search(query.text):
        return "kinds"
    if ASKS_SEVERAL_EN.search(query.text):
        return "several"
    return ""


_LEVEL = {"province": 0, "city": 1, "district": 2}


# "依据的省级规划", "Which provincial plan": the cited document's issuer is of that level, so its title names one
_CITED_LEVEL = (("省", re.compile(r"省级|省里|省政府|省委|\bprovincial\b|\bprovince'?s?\b", re.I)),
                ("国家", re.compile(r"国家级|国家层面|\bnational\b|\bstate council\b", re.I)))


def _cited_level(text: str) -> list[str]:
    return [mark for mark, cue in _CITED_LEVEL if cue.search(text)][:1]


def _cited_places(query: Query) -> list[str]:
    """Short names (without 省/市) of the places a question names above the lowest level it names."""
    levels = [_LEVEL.get(p.field, 2) for p in query.places]
    if not levels:
        return []
    low = max(levels)
    return list(dict.fromkeys(re.sub(r"(?<=..)(?:省|市|自治区|自治州|地区|盟)$", "", p.value)
                              for p in query.places if _LEVEL.get(p.field, 2) < low))


def names_orgs(text: str, role: str = "") -> bool:
    """A sentence that answers "which units": a list of organisations ("卫健局、文旅局",
    "牵头单位:县卫健委、县民政局"), or a labelled one inside a sentence ("（牵头单位：区卫健局）").
    With a role asked (牵头), a list labelled with another role (配合单位) does not answer."""
    body = text.strip().rstrip("。；;：:")  # an addressee line ends with a colon
    m = _LABEL.match(body)
    label, rest = (m.group(1), m.group(2)) if m else ("", body)
    if label and role and role not in label and _ROLE.search(label):
        return False
    items = [x for x in re.split(r"[、，,；;\s]+|(?<=[局委办院心府])(?:和|及|与)", rest) if x]
    orgs = [x for x in items if _ORG_ITEM.search(x) and not _ROLE_WORD.match(x)]
    if orgs and 3 * len(orgs) >= 2 * len(items) and len(rest) <= 60:
        return True
    hit = _LABELLED_ORG.search(body)
    return bool(hit) and (not role or role in hit.group(0) or not _ROLE.search(hit.group(0)))




# "哪些门类的医疗服务", "what kinds of institutions": the answer names several, "中医、儿科、精神科"
ASKS_KINDS = re.compile(r"哪(?:些|几)(?:个)?(?:门类|类型|种类|类别|类|种)|什么(?:类型|种类|门类)|"
                        r"\b(?:what|which) (?:kinds?|types?|sorts?|categories) of\b", re.IGNORECASE)
# "Which major infectious diseases does X single out", "Which four specialist alliances has X set up": a plural noun
# asked with which, then the question's verb, asks for several named in a row (not "Which district plans to…", whose
# "plans" is the verb; not "which batch of …", one batch; not which places, a list of places). Two will do: 甲、乙等
ASKS_SEVERAL_EN = re.compile(r"\bwhich (?:(?!of\b)[a-z-]+ ){0,4}?"
                             r"(?!(?:districts|counties|places|cities|provinces|prefectures|regions)\b)[a-z-]{3,}s "
                             r"(?:does|do|did|is|are|was|were|has|have|had|will|would|must|should|can|could)\b", re.I)
SEVERAL = re.compile(r"[^、，,。；;]{1,15}、[^、，,。；;]{1,15}")
ENUMERATION = re.compile(r"[^、，,。；;]{1,15}、[^、，,。；;]{1,15}、[^、，,。；;]{1,15}")


# "重点做好十个方面的工作", "两项制度": a count in Chinese numerals answers 几个/多少项 as digits do (一个 is an
# article as often as a count, and 第三个 an ordinal: neither counts); it answers no rate ("三个全覆盖" for 签约率)
# "七个专项行动", "三样", "五大工程" (not 十九大: an ordinal congress)
_CN_COUNT = re.compile(r"(?<![一二三四五六七八九十百第])[二两三四五六七八九十百]+[个项条类种件家所名样块批场期处座](?!月)"
                       r"|(?<![一二三四五六七八九十百第])[二两三四五六七八九十]大(?!以来|精神|报告|代表|会)")


# a question counting items ("几个方面", "多少项", "how many centres") rather than asking a rate or an amount
# ("how many percent" asks a rate)
# People ask in everyday measure words too ("铺开几样活动", "分几大块", "搞了几回"): any word counting things
ASKS_COUNT = re.compile(r"(?<![哪这那近前])几(?:个|项|条|类|种|件|家|所|名|样|块|大|方面|批|次|回|轮|场|期|处|座)|"
                        r"多少(?:个|项|条|家|所|名|样|块|批|次|回|轮|场|期|处|座)|"
                        r"\bhow many\b(?! (?:percent|per cent|percentage))", re.IGNORECASE)


def carries(kind: str, text: str, *, count: bool = False) -> bool:
    text = simplified(text)  # the patterns are written in simplified characters: a 繁體 copy's 億元, 個, 縣長 count
    if kind in ("date", "day"):  # a year inside a quoted title (《…2021年…方案》) names the document, not a time
        return bool((HAS_DAY if kind == "day" else HAS_DATE).search(_QUOTED.sub("《》", text)))
    if kind == "number":
        return bool(HAS_NUMBER.search(text) or (count and _CN_COUNT.search(text)))
    if kind.startswith("org"):
        return names_orgs(text, kind.partition(":")[2])
    if kind == "person":
        return bool(HAS_OFFICE.search(text))
    if kind == "docnum":
        return bool(DOC_NUMBER.search(text))
    if kind == "kinds":
        return bool(ENUMERATION.search(text))
    if kind == "several":
        return bool(SEVERAL.search(text))
    if kind.startswith("title"):
        names = kind.split(":")[1:]
        return any(not names or any(n in t for n in names) for t in HAS_TITLE.findall(text))
    return True


# an ordinal or a session names which one, not how many: 第四届运动会, 第45次常务会议, 十九届四中全会
_ORDINAL = re.compile(r"第\s*[\d一二两三四五六七八九十百零〇]+\s*[届次批轮个项条号期年]?|[\d一二三四五六七八九十百]+届")


ASKS_ORDINAL = re.compile(r"第几|哪一?[届批轮期]|\bwhich (?:session|edition|round|batch)\b", re.IGNORECASE)


# a telephone number is a figure only to a question asking for one (监督电话是多少); to 多少名 it is a contact line
ASKS_PHONE = re.compile(r"电话|热线|联系方式|号码|\b(?:tele)?phone\b|\bhotline\b|\bcontact number\b", re.I)
PHONE = re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")


def without_phones(text: str) -> str:
    return PHONE.sub(" ", text)


def states_count(text: str, *, ordinal: bool = False) -> bool:
    """A count or figure in `text`; an ordinal counts only when the question asks for one (第几次会议)."""
    text = simplified(text)
    return bool(HAS_COUNT.search(text if ordinal else _ORDINAL.sub("", text)))


# "“232”工作主线具体是指什么", "“两融”是指哪两个融入", "“五个提升”包括哪些": the question asks what a term a plan
# coins stands for; a sentence that only uses the term ("聚焦“232”工作主线，…") does not say
_ASKS_MEANING = re.compile(r"(?:具体)?(?:是)?指(?:的是)?(?:什么|哪)|(?:具体)?(?:包括|包含)(?:哪|什么)|具体(?:内容|是什么)|"
                           r"是什么意思|什么含义|含义是")
MEANING_GAP = 12  # characters between the term and the question of its meaning ("“232”工作主线具体是指")
_COINED = re.compile(r"[“\"「]([^”\"」]{2,16})[”\"」]")
# what follows a term that is being spelled out: "两融：…", "“232”主线，即…", "（…）", "包括…", "分别是…"
_SPELLED = re.compile(r"[”\"」]?[\u4e00-\u9fff]{0,8}?\s*(?:[:：（(]|[，,]?\s*(?:即|是指|指的是|包括|分别是|就是))")


def asked_meaning(query: Query) -> str:
    """The coined term a Chinese question asks the meaning of ("232" of "“232”工作主线具体是指什么"), or ""."""
    if query.script != "zh":
        return ""
    cue = _ASKS_MEANING.search(query.text)
    if not cue:
        return ""
    terms = [m for m in _COINED.finditer(query.text) if m.end() <= cue.start()]
    if not terms or cue.start() - terms[-1].end() > MEANING_GAP:
        return ""  # "“两个允许”政策落实中遇到的问题包括哪些" asks about something else the term leads to
    return terms[-1].group(1)  # the term right before the cue ("“一建两融”中的“两融”是指")


_CLAUSE_START = re.compile(r"[，,。；;：:！？\n][^，,。；;：:！？\n]*$")


def spells_out(term: str, text: str) -> bool:
    """Whether `text` says what `term` stands for: the term followed by a colon, 即, 是指, a bracket or
    包括, or right after the list it names in the same clause ("融入A、融入B、融入C的“三个融入”")."""
    i = text.find(term)
    while i >= 0:
        if _SPELLED.match(text, i + len(term)):
            return True
        before = re.sub(r"[“\"「]?(?:等|的)?[“\"「]?$", "", text[max(0, i - 80) : i])
        m = _CLAUSE_START.search(before)
        if (before[m.start() + 1 :] if m else before).count("、") >= 2:
            return True
        i = text.find(term, i + 1)
    return term in text and _parts_spelled(term, text)


def _parts_spelled(term: str, text: str) -> bool:
    """"“一建两融”工作格局。一建：…；两融：…": a composite term spelled out part by part."""
    return any(re.search(r"(?:^|[。；;，,\s])" + re.escape(p) + r"\s*[:：]", text) for p in _parts(term))


def _parts(term: str) -> set[str]:
    """The pieces of a term of two or more characters, a Chinese one among them, the whole term left out."""
    return {term[a:b] for a in range(len(term)) for b in range(a + 2, len(term) + 1)
            if b - a < len(term) and re.search(r"[\u4e00-\u9fff]", term[a:b])}


MAX_EXPLAINING = 4


def explaining(term: str, picks: list, passage: str) -> list:
    """The candidate sentences of one passage that say what `term` stands for, in the passage's order: one
    that spells it out whole, or those opening with a part of it and a colon ("一建：…", "两融：…")."""
    def says(text: str) -> bool:
        return spells_out(term, text) or any(re.match(re.escape(p) + r"\s*[:：]", text.strip()) for p in _parts(term))
    return sorted((p for p in picks if says(p.text)), key=lambda p: passage.find(p.text))[:MAX_EXPLAINING]

