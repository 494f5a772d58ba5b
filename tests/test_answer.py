"""qa.answering.answer: extractive answers from hand-made hits (no index, no model)."""
from __future__ import annotations

import pytest

from qa.answering.answer import ABSTAIN_EN, ABSTAIN_ZH, build_answer, segments, split_sentences
from qa.answering.render import excerpt
from qa.answering.sentlex import _MAX_SENT_CHARS
from qa.corpus.documents import read_catalog
from qa.places import Gazetteer
from qa.search.query import analyze
from qa.records import Hit

WEIDONG = ("9. 强化传染病、慢性病、地方病防控。实施扩大国家免疫规划工作，适龄儿童免疫规划疫苗接种率达到90%以上。"
           "巩固国家慢性病综合防控示范区成果。规范严重精神障碍患者管理治疗，确保报告患病率不低于4.5%、规范管理率不低于80%、"
           "规律服药率不低于50%。完善地方病监测体系，强化干预与管理。")
ZHOUCUN = ("加强严重精神障碍患者服务管理，加快推进社会心理服务体系建设和健康扶贫工作，持续巩固脱贫攻坚成果。"
           "（责任领导:吕峰、蔡海英, 牵头科室: 基妇科）")
GULOU_MH = "3. 加强疾病预防控制工作。做好常见病、慢性病、严重精神障碍等健康管理。落实疫苗全程可追溯。"
GULOU_FD = "11. 提升基本公共卫生服务水平。将基本公共卫生服务项目政府补助标准提高到每人每年79元。完善家庭医生签约机制。"
JIADING_FD = "16.做实做优家庭医生签约服务。扩大家庭医生签约服务范围，逐步将家庭医生签约服务从居住社区向功能社区延伸。"
LUCHENG_FD = "组建全专融合型家庭医生签约团队,不断优化签约服务内涵,提升履约质量和服务效果。"
OTHER = "加强行风建设。持续做好纠正医药购销和医疗服务领域不正之风工作。"


def hit(chunk_id: str, text: str, score: float = 1.0, section: str = "一、总体 > 1. 条目") -> Hit:
    doc_id = chunk_id.split("#")[0]
    meta = {
        "weidong-2021": ("卫东区", "平顶山市", "河南省", "2021年全区卫生健康重点工作安排"),
        "gulou-2021": ("鼓楼区", "福州市", "福建省", "2021年鼓楼区卫生健康工作要点"),
        "zhoucun-2021": ("周村区", "淄博市", "山东省", "周村区医疗卫生服务建设推进年活动实施方案"),
        "jiading-2024": ("嘉定区", "上海市", "上海市", "2024年卫生健康工作要点"),
        "lucheng-2021": ("鹿城区", "温州市", "浙江省", "鹿城区卫生健康工作总结和工作思路"),
    }[doc_id]
    return Hit(chunk_id=chunk_id, doc_id=doc_id, text=text, score=score, section=section, district=meta[0],
               city=meta[1], province=meta[2], title=meta[3], year=2021, start=0, end=len(text))


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer(read_catalog())


def ask(gaz, question, hits, *, abstain=False, **kw):
    q = analyze(question, gaz)
    return build_answer(question, hits, query=q, abstain=abstain, lang="en" if q.script == "en" else "zh", **kw)


def joined(segs) -> str:
    return "".join(t for t, _ in segs)


# ---------------------------------------------------------------- pure helpers
@pytest.mark.parametrize("text, expected", [
    ("", []),
    ("。", []),
    ("一句。", ["一句。"]),
    ("甲。乙；丙！丁？戊", ["甲。", "乙；", "丙！", "丁？", "戊"]),
    ("  首句。\n第二行\n", ["首句。", "第二行"]),
    # a release mark ends the signature block, though a copy without line breaks runs on into the plan
    ("某某区人民政府2021年5月12日(此件公开发布)健康是发展的基础。", ["某某区人民政府2021年5月12日(此件公开发布)", "健康是发展的基础。"]),
])
def test_split_sentences(text, expected):
    assert [text[a:b] for a, b in split_sentences(text)] == expected


def test_highlight_marks_exactly_the_number():
    segs = segments("确保报告患病率不低于4.5%、规范管理率不低于80%", ["4.5%"])
    assert segs == (("确保报告患病率不低于", False), ("4.5%", True), ("、规范管理率不低于80%", False))


def test_highlight_longest_first_without_overlap_and_not_inside_longer_numbers():
    text = "严重精神障碍患者14.5%，报告患病率不低于4.5%"
    segs = segments(text, ["精神障碍", "严重精神障碍", "精神", "4.5%"])
    assert [t for t, m in segs if m] == ["严重精神障碍", "4.5%"]  # 4.5% inside 14.5% is not a match
    assert joined(segs) == text


def test_single_characters_only_join_a_neighbouring_mark():
    segs = segments("不低于4.5%，不要", ["不", "低于", "4.5%"])
    assert [t for t, m in segs if m] == ["不", "低于", "4.5%"]
    assert ("，不要", False) in segs


@pytest.mark.parametrize("text", ["", "x", "<script>alert(1)</script>", "ＡＢＣ４．５％ abc", "规范" * 5000])
@pytest.mark.parametrize("terms", [[], ["4.5%"], ["abc", "规范", "4.5%", "<script>"]])
def test_segments_concatenate_back_to_the_text(text, terms):
    assert joined(segments(text, terms)) == text


def test_fullwidth_number_in_the_passage_is_marked():
    segs = segments("不低于４．５％。", ["4.5%"])
    assert [t for t, m in segs if m] == ["４．５％"]


# ---------------------------------------------------------------- answers
def test_the_sentence_with_the_number_is_chosen(gaz):
    # the top hit talks about 严重精神障碍 too, but only 卫东区's passage has 4.5%
    hits = [hit("zhoucun-2021#10", ZHOUCUN, 2.0), hit("weidong-2021#10", WEIDONG, 1.5), hit("gulou-2021#4", GULOU_MH)]
    a = ask(gaz, "哪个区要求严重精神障碍患者报告患病率不低于4.5%？", hits)
    assert not a.abstained
    assert a.sentences[0].text.startswith("规范严重精神障碍患者管理治疗，确保报告患病率不低于4.5%")
    assert a.citations[a.sentences[0].n - 1].hit.chunk_id == "weidong-2021#10"
    assert ("4.5%", True) in a.sentences[0].segments


def test_which_district_lead_names_the_district_first(gaz):
    hits = [hit("weidong-2021#10", WEIDONG), hit("zhoucun-2021#10", ZHOUCUN)]
    a = ask(gaz, "哪个区要求严重精神障碍患者报告患病率不低于4.5%？", hits)
    assert a.lead.splitlines()[0] == "平顶山市卫东区（《2021年全区卫生健康重点工作安排》）"
    assert a.districts == ("平顶山市卫东区",)
    assert "报告患病率不低于4.5%" in a.lead.splitlines()[1]
    assert a.lead.splitlines()[1].endswith("[1]")


def test_plain_question_leads_with_the_place(gaz):
    hits = [hit("gulou-2021#12", GULOU_FD), hit("gulou-2021#4", GULOU_MH)]
    a = ask(gaz, "鼓楼区基本公共卫生服务补助标准是多少？", hits)
    assert a.lead.startswith("福州市鼓楼区：将基本公共卫生服务项目政府补助标准提高到每人每年79元。")
    assert "11. 提升基本公共卫生服务水平。" not in a.lead  # the item's own title says nothing


def test_many_districts_are_listed_each_with_its_own_citation(gaz):
    hits = [hit("jiading-2024#17", JIADING_FD, 3.0), hit("lucheng-2021#8", LUCHENG_FD, 2.5),
            hit("gulou-2021#12", GULOU_FD, 2.0), hit("jiading-2024#30", OTHER, 1.0)]
    a = ask(gaz, "哪些区提到了家庭医生签约？", hits)
    assert a.heading == "以下 3 个区的文件提到了相关内容："
    lines = a.lead.splitlines()[1:]
    assert [ln.split("（")[0] for ln in lines] == ["上海市嘉定区", "温州市鹿城区", "福州市鼓楼区"]
    assert [s.n for s in a.sentences] == [1, 2, 3]
    assert [c.hit.doc_id for c in a.citations[:3]] == ["jiading-2024", "lucheng-2021", "gulou-2021"]
    assert "嘉定区" in a.districts[0] and len(a.districts) == 3


def test_many_districts_leave_out_a_document_without_the_key_terms(gaz):
    hits = [hit("jiading-2024#17", JIADING_FD), hit("zhoucun-2021#3", OTHER)]
    a = ask(gaz, "哪些区提到了家庭医生签约？", hits)
    assert a.districts == ("上海市嘉定区",)


def test_many_districts_citing_a_quoted_plan_leave_out_plans_citing_another(gaz):
    # every plan's basis sentence reads alike; only the title it cites tells them apart
    basis = "为贯彻落实《省人民政府办公厅关于印发健康{}行动实施方案的通知》精神，结合本区实际，制定本方案。"
    hits = [hit("jiading-2024#1", basis.format("城乡")), hit("lucheng-2021#1", basis.format("校园")),
            hit("gulou-2021#1", basis.format("城乡"))]
    a = ask(gaz, "哪些区的方案是贯彻《健康城乡行动实施方案》的？", hits)
    assert a.districts == ("上海市嘉定区", "福州市鼓楼区")


def test_abstention_says_so_and_shows_the_closest_passages(gaz):
    hits = [hit("jiading-2024#30", OTHER), hit("gulou-2021#4", GULOU_MH)]
    a = ask(gaz, "老人摔倒的疫苗接种率是多少？", hits, abstain=True)
    assert a.abstained and a.lead == ABSTAIN_ZH and a.sentences == () and a.districts == ()
    assert [c.hit.chunk_id for c in a.citations] == ["jiading-2024#30", "gulou-2021#4"]


@pytest.mark.parametrize("question, lead", [
    ("杭州市西湖区的疫苗接种率是多少？", "没有杭州市西湖区的文件；已载入：福州市鼓楼区、平顶山市卫东区、温州市鹿城区、淄博市周村区、上海市嘉定区。"),
    ("北京市朝阳区2023年家庭医生签约率是多少？", "没有北京市朝阳区的文件；已载入：福州市鼓楼区、平顶山市卫东区、温州市鹿城区、淄博市周村区、上海市嘉定区。"),
    ("南京市鼓楼区的家庭医生签约率？", "没有南京市鼓楼区的文件；已载入：福州市鼓楼区、平顶山市卫东区、温州市鹿城区、淄博市周村区、上海市嘉定区。"),
    ("What is Xiao County's vaccination rate?", "No document for 宿州市萧县 is loaded; loaded: 福州市鼓楼区, 平顶山市卫东区, 温州市鹿城区, 淄博市周村区, 上海市嘉定区."),
])
def test_a_place_that_is_not_loaded_is_named_with_what_is(gaz, question, lead):
    hits = [hit("jiading-2024#30", OTHER)]
    a = ask(gaz, question, hits, abstain=True)
    assert a.abstained and a.lead == lead


def test_no_hits_abstain_in_english(gaz):
    a = ask(gaz, "What is the budget for space travel?", [])
    assert a.abstained and a.lead == ABSTAIN_EN and a.citations == ()


def test_english_question_gets_an_english_frame_and_chinese_text(gaz):
    hits = [hit("weidong-2021#10", WEIDONG), hit("zhoucun-2021#10", ZHOUCUN)]
    a = ask(gaz, "Which district targets a 4.5% reported prevalence?", hits)
    assert a.lang == "en"
    first, second = a.lead.splitlines()[:2]
    assert first == "Weidong District, Pingdingshan (平顶山市卫东区), in 《2021年全区卫生健康重点工作安排》"
    assert "报告患病率不低于4.5%" in second and second.startswith("“")


@pytest.mark.parametrize("name, city, english", [
    ("卫东区", False, "Weidong District"), ("宁城县", False, "Ningcheng County"), ("沅江市", False, "Yuanjiang City"),
    ("阿荣旗", False, "Arong Banner"), ("镇沅彝族哈尼族拉祜族自治县", False, "Zhenyuan Autonomous County"),
    ("浦东新区", False, "Pudong New Area"), ("平顶山市", True, "Pingdingshan"),
    ("海南藏族自治州", True, "Hainan Autonomous Prefecture"), ("大兴安岭地区", True, "Daxinganling Prefecture"),
    # a character's everyday reading misspells the name (朝 zhao, 都 dou, 洪洞 hongdong): the dictionary's proper
    # noun reading is the map's
    ("都昌县", False, "Duchang County"), ("洪洞县", False, "Hongtong County"), ("乐亭县", False, "Laoting County"),
    ("丰都县", False, "Fengdu County"),
])
def test_an_english_place_label_says_the_units_level(name, city, english):
    """A county is not a "District": 宁城县 used to read "Ningchengxian District"."""
    from qa.answering.labels import english_unit

    assert english_unit(name, city=city) == english


def test_citations_are_capped_and_carry_the_whole_section(gaz):
    hits = [hit(f"gulou-2021#{i}", GULOU_FD if i == 0 else OTHER) for i in range(6)]
    a = ask(gaz, "鼓楼区基本公共卫生服务补助标准", hits, max_citations=2, sections={"gulou-2021#0": "全文"})
    assert [c.n for c in a.citations] == [1, 2]
    assert a.citations[0].section_text == "全文" and a.citations[1].section_text == ""
    for c in a.citations:
        assert joined(c.segments) == c.hit.text
    # the button opening the whole section speaks the answer's language
    from qa.answering.render import answer_html

    assert "<summary>展开全文</summary>" in answer_html(a) and "show whole section" not in answer_html(a)
    en = ask(gaz, "What subsidy standard does Gulou set for basic public health services?", hits, max_citations=2,
             sections={"gulou-2021#0": "全文"})
    assert "<summary>Show whole section</summary>" in answer_html(en), answer_html(en)


def test_a_long_sentence_is_cut_around_the_match(gaz):
    long = "，".join(f"推进第{i}项工作" for i in range(60)) + "，确保报告患病率不低于4.5%。"
    assert len(long) > _MAX_SENT_CHARS
    a = ask(gaz, "报告患病率不低于4.5%", [hit("weidong-2021#1", long)])
    text = a.sentences[0].text
    assert text.startswith("…") and text.endswith("4.5%。") and len(text) <= _MAX_SENT_CHARS + 1


def test_a_bare_small_number_is_not_an_answer(gaz):
    # "alert(1)" shares only "1" with a passage listing "1+1+1": that is no evidence
    hits = [hit("jiading-2024#23", "做实年度区政府实事项目，为60-64岁“1+1+1”签约居民提供免费健康体检。")]
    a = ask(gaz, "<script>alert(1)</script><img src=x onerror=alert(1)>", hits)
    assert a.abstained and a.lead == ABSTAIN_EN
    assert not any(m for _, m in a.citations[0].segments)  # and nothing is highlighted


def test_a_list_leaves_out_bare_headings_and_sentences_sharing_nothing_when_others_share_words(gaz):
    """An English which-places question whose glossary words few sentences hold: the listing falls back on
    closeness in meaning, but an item's bare heading ("5. 持续开展爱国卫生运动。") is close to any question,
    and a sentence sharing none of the words some other sentence shares is close by shape only."""
    from qa.answering.pick import Pick
    from qa.answering.topic import many_districts

    q = analyze("Which places' plans set targets for the overall five-year cancer survival rate?", gaz)
    weights = {"大肠癌": 3.0, "达到": 2.0, "场所": 2.0, "系列": 2.0, "统筹": 2.0}

    def pick(chunk_id, text, cos, heading=False):
        return Pick(1.0, 0, hit(chunk_id, text), text, 0.0, cos, False, heading, True)

    picks = [pick("weidong-2021#3", "总体癌症5年生存率到2025年达到38%。", 0.90),
             pick("jiading-2024#4", "推进大肠癌筛查，提高早诊率。", 0.895),
             pick("gulou-2021#5", "5. 持续开展爱国卫生运动。", 0.899, heading=True),
             pick("lucheng-2021#6", "加强卫生监督执法。", 0.897)]
    kept = [p.hit.doc_id for p in many_districts(picks, weights, q)]
    assert kept == ["weidong-2021", "jiading-2024"]


def test_an_english_list_leaves_out_places_saying_one_word_of_several(gaz):
    """"Which places open clinics of traditional Chinese medicine?": a plan that only says 中医药 somewhere says
    one of the question's words, not that it opens clinics; each English word counts once, whichever of its
    translations a plan writes (诊所 or 中医馆 for "clinics")."""
    from dataclasses import replace

    from qa.answering.pick import Pick
    from qa.answering.topic import many_districts
    from qa.crosslingual import TermGroup

    q = analyze("Which places plan to open clinics of traditional Chinese medicine?", gaz)
    q = replace(q, xling=(TermGroup("lexicon", "open", 1.0, (("开设", 1.0), ("开办", 0.7))),
                          TermGroup("lexicon", "clinics", 1.0, (("诊所", 1.0),)),
                          TermGroup("terms", "clinics", 1.0, (("中医馆", 1.0),)),
                          TermGroup("lexicon", "traditional Chinese medicine", 1.0, (("中医药", 1.0), ("中医", 0.7)))))
    weights = {"中医药": 6.0, "中医": 2.0, "诊所": 1.0, "中医馆": 1.0, "开设": 0.5, "开办": 0.5}  # the heavy word

    def pick(chunk_id, text, cos):
        return Pick(1.0, 0, hit(chunk_id, text), text, 0.0, cos, False, False, True)

    picks = [pick("weidong-2021#3", "支持社会力量开办中医诊所，推动中医药服务进社区。", 0.90),
             pick("jiading-2024#4", "社区卫生服务中心开设中医馆，提供中医药服务。", 0.89),
             pick("gulou-2021#5", "落实中医药传承创新发展实施方案，弘扬中医药文化。", 0.89),
             pick("lucheng-2021#6", "加快推进基层中医药能力建设。", 0.88)]
    kept = [p.hit.doc_id for p in many_districts(picks, weights, q)]
    assert kept == ["weidong-2021", "jiading-2024"]


def test_an_english_list_asking_for_a_compound_leaves_out_places_saying_its_words_apart(gaz):
    """"Which places plan to build community hospitals?": where the best sentence writes 社区医院, a plan saying
    社区卫生服务中心 and 医院 in one sentence names two other things. One of the best sentence's compounds will
    do, since a question may offer alternatives ("community hospitals or township hospitals")."""
    from dataclasses import replace

    from qa.answering.pick import Pick
    from qa.answering.topic import many_districts
    from qa.crosslingual import TermGroup

    q = analyze("Which places plan to build community hospitals or township hospitals?", gaz)
    q = replace(q, xling=(TermGroup("lexicon", "build", 1.0, (("建设", 1.0),)),
                          TermGroup("lexicon", "community", 1.0, (("社区", 1.0), ("小区", 0.5))),
                          TermGroup("lexicon", "hospitals", 1.0, (("医院", 1.0),)),
                          TermGroup("terms", "hospitals", 1.0, (("医疗机构", 1.0),)),
                          TermGroup("lexicon", "township", 1.0, (("乡镇", 1.0),))))
    weights = {"社区": 1.0, "医院": 1.0, "建设": 0.5, "乡镇": 1.0}

    def pick(chunk_id, text, cos):
        return Pick(1.0, 0, hit(chunk_id, text), text, 0.0, cos, False, False, True)

    picks = [pick("weidong-2021#3", "推进社区医院建设，年内建成2家社区医院。", 0.90),
             pick("jiading-2024#4", "新建乡镇医疗机构1家，完成社区医院建设。", 0.89),
             pick("gulou-2021#5", "加强社区卫生服务中心建设，提升区属医院和乡镇卫生院服务能力。", 0.89)]
    assert [p.hit.doc_id for p in many_districts(picks, weights, q)] == ["weidong-2021", "jiading-2024"]

    # the best sentence by its words may have the two apart (家庭医生 … 健康管理): then a sentence that may be listed
    # writing the compound (健康家庭) decides
    q = analyze("Which places promote healthy families?", gaz)
    q = replace(q, xling=(TermGroup("lexicon", "healthy", 1.0, (("健康", 1.0),)),
                          TermGroup("lexicon", "families", 1.0, (("家庭", 1.0),))))
    picks = [pick("jiading-2024#4", "提升家庭医生签约服务质量，做好智能化健康管理。", 0.90),
             pick("weidong-2021#3", "大力创建健康社区、健康家庭等健康细胞。", 0.89),
             pick("gulou-2021#5", "推进以“健康家庭”建设为抓手的健康促进工作。", 0.88)]
    assert [p.hit.doc_id for p in many_districts(picks, {"健康": 1.0, "家庭": 1.0}, q)] == ["weidong-2021", "gulou-2021"]


@pytest.mark.parametrize("question", ["哪些区的文件提到无烟机关（无烟党政机关）创建？", "哪些区的文件提到无烟党政机关或无烟机关创建？"])
def test_a_list_takes_a_place_that_writes_either_alternative_the_question_offers(gaz, question):
    """无烟机关（无烟党政机关）: a plan writing 无烟机关 says it as much as one writing 无烟党政机关, though jieba
    cuts 无烟机关 into 无烟 + 机关 and the longer alternative would otherwise be the term every sentence needs."""
    hits = [hit("jiading-2024#4", "开展无烟党政机关建设，实现全区无烟党政机关创建全覆盖。", 3.0),
            hit("zhoucun-2021#5", "做好市级无烟机关、无烟学校、无烟单位的申报和督导工作。", 2.0),
            hit("lucheng-2021#6", "持续开展机关效能建设，创建文明单位。", 1.0)]
    a = ask(gaz, question, hits)
    assert a.districts == ("上海市嘉定区", "淄博市周村区"), a.lead


def test_a_list_takes_a_place_that_writes_the_short_form_of_the_asked_words(gaz):
    """计划生育 / 计生, 疾病控制 / 疾控: plans write either; a place is listed whichever its plan writes."""
    hits = [hit("weidong-2021#4", "开展计划生育特殊家庭扶助关怀行动，落实奖励扶助政策。", 3.0),
            hit("jiading-2024#5", "加大计生特殊家庭扶助关怀力度。", 2.0),
            hit("lucheng-2021#6", "持续做好家庭医生签约服务。", 1.0)]
    a = ask(gaz, "哪些区提出要加强计划生育特殊家庭扶助？", hits)
    assert a.districts == ("平顶山市卫东区", "上海市嘉定区"), a.lead


def test_a_word_and_its_short_form_count_as_the_same_word():
    from qa.answering.sentlex import holds, short_form

    assert short_form("计划生育") == "计生" and short_form("疾病控制") == "疾控"
    assert holds("计划生育", "着手制定计生特殊家庭扶助关怀实施方案") and holds("计生", "完善计划生育特殊家庭扶助制度")
    assert short_form("家庭医生") == "家医" and not holds("家庭医生", "建设一家医院")  # a short form is a word, not two characters
    assert short_form("健康教育中心") == "" and short_form("医院") == ""


def test_a_list_takes_a_place_that_writes_any_of_several_alternatives_in_the_brackets(gaz):
    """（医防融合、医防协同）offers two ways of writing one thing: a plan writing either says it."""
    hits = [hit("weidong-2021#4", "四是预防为主，竭力推动医防融合发展，推动基本公共卫生服务提质增效。", 3.0),
            hit("gulou-2021#5", "进一步改革完善疾控体系，创新医防协同机制，建立人员通、信息通、资源通的机制。", 2.5),
            hit("lucheng-2021#6", "大力推进“两慢病”医防融合，建设慢病管理中心。", 2.0),
            hit("jiading-2024#5", "加快疾病预防控制体系现代化建设。", 1.0)]
    a = ask(gaz, "哪些区提出要推动医疗和疾病预防融合（医防融合、医防协同）？", hits)
    assert set(a.districts) == {"平顶山市卫东区", "福州市鼓楼区", "温州市鹿城区"}, a.lead


def test_the_excerpt_under_a_source_shows_the_line_the_answer_quotes_not_only_the_most_highlighted():
    lead = "推进严重精神障碍患者管理，严重精神障碍患者服务，严重精神障碍患者救治。"  # more highlights, no figure
    filler = "".join(f"完成第{i}项常规工作。" for i in range(12))
    quoted = "规律服药率不低于50%。"
    text = lead + filler + quoted
    segs = segments(text, ["严重精神障碍患者", "规律服药率"])
    at = text.index(quoted)
    plain, _, _ = excerpt(text, segs)
    assert quoted not in joined(plain)  # without a focus the most highlighted sentence wins
    runs, before, after = excerpt(text, segs, (at, at + len(quoted)))
    assert quoted in joined(runs) and before and not after


def test_a_citation_records_where_its_quoted_line_stands(gaz):
    text = "".join(f"完成第{i}项常规工作。" for i in range(15)) + WEIDONG
    a = ask(gaz, "卫东区严重精神障碍患者报告患病率不低于多少？", [hit("weidong-2021#9", text)])
    c = a.citations[0]
    assert "4.5%" in a.sentences[0].text and c.focus is not None
    assert "4.5%" in text[c.focus[0]:c.focus[1]]
    runs, _, _ = excerpt(c.hit.text, c.segments, c.focus)
    assert "4.5%" in joined(runs)


def county_hit(chunk_id: str, text: str, score: float = 1.0, title: str = "甲县卫生健康工作要点") -> Hit:
    return Hit(chunk_id=chunk_id, doc_id=chunk_id.split("#")[0], text=text, score=score, section="一、总体 > 1. 条目",
               district="甲县", city="乙市", province="丙省", title=title, year=2023, start=0, end=len(text))


COUNTY_FD = "全面推进家庭医生签约服务，重点人群签约服务覆盖率稳步提高。"


def test_a_list_asking_for_counties_leaves_out_districts_saying_the_same():
    hits = [hit("jiading-2024#17", JIADING_FD, 3.0), county_hit("jiaxian-2023#4", COUNTY_FD, 2.5),
            hit("gulou-2021#12", GULOU_FD, 2.0)]
    gaz = Gazetteer(read_catalog())
    asked_counties = ask(gaz, "哪些县提到了家庭医生签约？", hits)
    assert asked_counties.districts == ("乙市甲县",)
    assert asked_counties.heading == "以下 1 个县的文件提到了相关内容："
    anywhere = ask(gaz, "哪些地方提到了家庭医生签约？", hits)
    assert len(anywhere.districts) == 3 and anywhere.heading == "以下 3 个地方的文件提到了相关内容："
    # asked for counties of districts' plans only, the word is taken loosely: the districts that say it stay
    loosely = ask(gaz, "哪些县提到了家庭医生签约？", [hits[0], hits[2]])
    assert len(loosely.districts) == 2 and loosely.heading == "以下 2 个区的文件提到了相关内容："


def test_a_list_asking_for_one_kind_of_document_leaves_out_other_kinds_saying_the_same(gaz):
    command = "发生突发公共卫生事件时，按应急预案设有现场指挥部，统一指挥现场处置工作。"
    hits = [county_hit("jiaxian-2023#2", command, 3.0, title="甲县突发公共卫生事件应急预案"),
            hit("weidong-2021#5", "完善突发公共卫生事件应急预案，设有现场指挥部，统一指挥现场处置。", 2.5)]
    assert ask(gaz, "哪些地方的突发公共卫生事件应急预案设有现场指挥部？", hits).districts == ("乙市甲县",)
    # a bare 文件 names no kind; and a kind no listed document is of is taken loosely
    assert len(ask(gaz, "哪些地方的文件提到突发公共卫生事件应急预案设有现场指挥部？", hits).districts) == 2
    assert len(ask(gaz, "哪些地方的健康行动方案提到突发公共卫生事件应急预案设有现场指挥部？", hits).districts) == 2
    # words before 文件 say what the documents are about, not what kind they are: no place is left out for them
    assert len(ask(gaz, "哪些地方的突发公共卫生事件文件提到设有现场指挥部？", hits).districts) == 2
    # …but a programme's name before 文件 is a kind of plan
    action = [county_hit("jiaxian-2023#2", command, 3.0, title="健康甲县行动实施方案"), hits[1]]
    assert ask(gaz, "哪些地方的健康行动文件提到设有现场指挥部？", action).districts == ("乙市甲县",)


def test_a_list_whose_words_no_sentence_holds_still_names_the_place_it_answers_with(gaz):
    # no sentence vectors and few of the question's words in any sentence: the answer is the best one's place
    hits = [county_hit("jiaxian-2023#2", "事件发生后成立现场指挥部。", 3.0, title="甲县突发公共卫生事件应急预案")]
    a = ask(gaz, "哪些地方的突发公共卫生事件应急预案设有现场指挥部？", hits)
    assert a.districts == ("乙市甲县",) and a.heading == "以下 1 个县的文件提到了相关内容："


def test_a_list_asking_for_a_figure_leaves_out_places_stating_none(gaz):
    hits = [county_hit("jiaxian-2023#3", "全县居民健康素养水平提高到26%以上。", 3.0),
            hit("weidong-2021#8", "持续提升居民健康素养水平，广泛开展健康知识普及。", 2.5)]
    a = ask(gaz, "哪些地方为居民健康素养水平设定了具体的百分比目标？", hits)
    assert a.districts == ("乙市甲县",), a.lead


def test_a_contact_line_answers_a_question_for_a_phone_number_and_no_other_figure(gaz):
    """甲县…多少新生儿…？: the public notice's "联系人:…电话:0731-…" holds digits, not the count asked for; the
    answer must not lead with it. Asked for the phone number, that line is the answer."""
    text = "对新生儿免费开展遗传代谢病筛查。联系人:张三电话:0731-57805156"
    hits = [county_hit("jiaxian-2023#3", text, 3.0)]
    sims = {"jiaxian-2023#3": [(0, 16, 0.80), (16, len(text), 0.80)]}
    counted = ask(gaz, "甲县计划为多少新生儿免费开展筛查？", hits, sims=sims, sim_stats=(0.7, 0.05))
    assert not counted.sentences or "0731" not in counted.sentences[0].text, counted.lead
    phoned = ask(gaz, "甲县新生儿筛查的联系电话是多少？", hits, sims=sims, sim_stats=(0.7, 0.05))
    assert "0731-57805156" in phoned.sentences[0].text, phoned.lead


def test_an_english_list_glossing_its_topic_in_chinese_lists_the_places_writing_it(gaz):
    """"…clean-government work (党风廉政建设)": the asker wrote the plans' own words. Every place writing them is
    listed (a 繁體 copy too), whatever its English words translate to, and a place writing only some is not."""
    hits = [hit("weidong-2021#2", "加强党风廉政建设，落实全面从严治党主体责任。", 3.0),
            county_hit("jiaxian-2023#3", "深入推進黨風廉政建設和反腐敗工作。", 2.8),
            # the English words' translations (党, 建设, 廉政, 党风) all there, the plans' phrase not
            hit("gulou-2021#4", "加强党的建设，推进廉政工作，开展党风教育。", 2.9)]
    a = ask(gaz, "Which places' documents mention Party conduct and clean-government work (党风廉政建设)?", hits)
    assert set(a.doc_ids) == {"weidong-2021", "jiaxian-2023"}, a.lead
    # a gloss no passage writes leaves the English words to decide, as before
    b = ask(gaz, "Which places' documents mention clean-government education (廉政警示教育)?", hits)
    assert b.doc_ids, b.lead
