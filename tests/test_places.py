"""The national gazetteer: every county-level unit resolves, names are matched in
linear time, questions about places that are not loaded are told so."""
from __future__ import annotations

import time

import pytest

from qa.corpus.documents import read_catalog
from qa.places import Gazetteer, divisions, normalize_division, resolve_place, short_forms
from qa.places.divisions import CITY, COUNTY, PROVINCE, merge_tables
from qa.places.matcher import national_matcher


def units(name):
    return [normalize_division(d) for d in divisions() if d.name == name]


def test_the_table_covers_the_country():
    ds = divisions()
    counts = {lvl: sum(d.level == lvl for d in ds) for lvl in (PROVINCE, CITY, COUNTY)}
    assert counts[PROVINCE] == 34
    assert counts[CITY] >= 330  # prefectures, leagues, autonomous prefectures
    assert counts[COUNTY] >= 2800  # ~2,850 county-level units, plus former names
    assert not [d for d in ds if "直辖" in d.name or d.name == "市辖区"]  # grouping rows are no places


@pytest.mark.parametrize("name, expected", [
    ("徐汇区", [("上海市", "上海市", "徐汇区")]),
    ("萧县", [("安徽省", "宿州市", "萧县")]),
    ("城关区", [("西藏自治区", "拉萨市", "城关区"), ("甘肃省", "兰州市", "城关区")]),
    ("黄南藏族自治州", [("青海省", "黄南藏族自治州", "")]),  # a prefecture-level unit: no district
    ("嘉兴市", [("浙江省", "嘉兴市", "")]),
    ("义乌市", [("浙江省", "金华市", "义乌市")]),  # a county-level city under its prefecture
    ("仙桃市", [("湖北省", "仙桃市", "")]),  # directly under the province: recorded as a city
    ("梁平区", [("重庆市", "重庆市", "梁平区")]),  # renamed in 2016 (from the 2025 list)…
    ("梁平县", [("重庆市", "重庆市", "梁平县")]),  # …and its old name still resolves
])
def test_units_resolve_to_province_city_district(name, expected):
    assert sorted(units(name)) == sorted(expected)


def test_merge_keeps_full_names_and_adds_renamed_units():
    gbt = {"500000": "重庆市", "500228": "梁平县", "630000": "青海省", "630200": "海东地区"}
    mca = {"500000": "重庆", "500155": "梁平区", "630200": "海东", "630300": "新城"}
    merged = dict(merge_tables(gbt, mca))
    assert merged["500000"] == "重庆市"  # the GB/T full name wins for a province
    assert merged["500155"] == "梁平区"
    assert merged["630300"] == "新城市"  # a new prefecture gets 市 when its name lacks a suffix


@pytest.mark.parametrize("name, forms", [
    ("黄南藏族自治州", ("黄南州", "黄南")),
    ("广西壮族自治区", ("广西",)),
    ("新疆维吾尔自治区", ("新疆",)),  # an ethnic name without 族
    ("阿坝藏族羌族自治州", ("阿坝州", "阿坝")),  # two ethnic names
    ("嘉兴市", ("嘉兴",)),
    ("城关区", ("城关",)),
    ("萧县", ()),  # a one-character stem is no name of its own
    ("察哈尔右翼前旗", ("察右前旗", "察哈尔右翼前")),  # a banner by its side and position: first character of its stem
    ("土默特左旗", ("土左旗", "土默特左")),
    ("乌拉特后旗", ("乌后旗", "乌拉特后")),
    ("库伦旗", ("库伦",)),  # no side or position: no such short form
])
def test_short_forms(name, forms):
    assert short_forms(name) == forms


@pytest.mark.parametrize("text, surface, labels", [
    ("兰州市城关区卫生健康局", "城关区", {"拉萨市城关区", "兰州市城关区"}),
    ("What does Xiao County plan?", "Xiao County", {"宿州市萧县"}),
    ("Chengguan District targets", "Chengguan District", {"拉萨市城关区", "兰州市城关区"}),
    ("Huangnan Tibetan Autonomous Prefecture", "Huangnan", {"青海省黄南藏族自治州"}),
    ("Jiaxing's plan", "Jiaxing", {"浙江省嘉兴市"}),
])
def test_matcher_finds_chinese_and_pinyin_names(text, surface, labels):
    ms = national_matcher().find(text)
    m = next(m for m in ms if m.surface == surface)
    assert {u.label for u in m.candidates} == labels


@pytest.mark.parametrize("text", ["He said that the plan works", "an area with more clinics", "幸福安康的生活"])
def test_matcher_ignores_words_that_only_look_like_names(text):
    assert national_matcher().find(text) == []


def test_matching_is_linear_in_the_text():
    m = national_matcher()
    small, big = "鼓楼区卫东区Gulou Weidong " * 400, "鼓楼区卫东区Gulou Weidong " * 4000
    assert len(m.find(big)) == 10 * len(m.find(small))

    def best(text, times):
        # the fastest of several runs: a shared, busy machine only ever adds time
        out = []
        for _ in range(times):
            t = time.perf_counter()
            m.find(text)
            out.append(time.perf_counter() - t)
        return min(out)

    # generous: quadratic matching would be ~100× slower for 10× the text
    assert best(big, 3) < 30 * best(small, 5) + 0.5


@pytest.fixture(scope="module")
def gaz():
    return Gazetteer(read_catalog())


@pytest.mark.parametrize("question, found, unloaded", [
    ("鼓楼区的家庭医生签约率？", ["鼓楼区"], []),  # 鼓楼区 is in 4 cities; the loaded one is meant
    ("Gulou's family doctors", ["鼓楼区"], []),
    ("福州有哪些措施", ["福州市"], []),
    ("南京市鼓楼区的家庭医生签约率？", [], ["南京市鼓楼区"]),  # the city says it is another 鼓楼区
    ("北京市朝阳区2023年家庭医生签约率是多少？", [], ["北京市朝阳区"]),
    ("萧县有什么要求？", [], ["宿州市萧县"]),
    ("鼓楼区和杭州市西湖区比较", ["鼓楼区"], ["杭州市西湖区"]),
    ("哪个区要求报告患病率不低于4.5%？", [], []),
    ("推进健康安康生活", [], []),  # short city names are not reported as missing places
    # a two-character county is taken only as a word of its own: 健康县 is no 康县, 和县城 no 和县
    ("哪个县提出要创建全国卫生县和自治区健康县？", [], []),
    ("哪些地方创建国家卫生城市和县城？", [], []),
    ("康县的文号是多少？", [], ["陇南市康县"]),
    ("在萧县召开的会议要求什么？", [], ["宿州市萧县"]),
    # 城区/郊区/矿区: an everyday word several districts bear; a place only once its city is named
    ("哪个区要求健康促进体系与中心城区功能定位相匹配？", [], []),
    ("城区医院和郊区医院怎么分工？", [], []),
    ("阳泉市城区的家庭医生签约率是多少？", [], ["阳泉市城区"]),
])
def test_questions_name_loaded_and_unloaded_places(gaz, question, found, unloaded):
    assert [p.value for p in gaz.find(question)] == found
    assert gaz.unloaded(question) == unloaded


@pytest.mark.parametrize("question, unloaded", [
    # after the question word a place's name is what the plan says ("…现代化新城区": 新城区 is also a district)
    ("哪个区提出要加快建成美丽幸福的现代化新城区？", ()),
    ("哪些区和朝阳区一样提出建设互联网医院？", ()),
    # before it, the place scopes the question: no document of it is loaded
    ("西安市哪个区提出建设健康城区？", ("陕西省西安市",)),
    ("朝阳区的工作要点有哪些？", ("朝阳区",)),  # no question word: the place asked about
])
def test_a_which_question_is_scoped_by_the_place_before_its_question_word(gaz, question, unloaded):
    from qa.search.query import analyze

    assert analyze(question, gaz).unloaded == unloaded


@pytest.mark.parametrize("kw, expected", [
    ({"issuer": [("h", "上海市徐汇区卫生健康委员会")]}, ("上海市", "上海市", "徐汇区")),
    ({"issuer": [("h", "萧县卫生健康委员会")]}, ("安徽省", "宿州市", "萧县")),
    ({"issuer": [("h", "黄南州卫生健康委员会")]}, ("青海省", "黄南藏族自治州", "")),
    ({"issuer": [("h", "嘉兴市卫生健康委员会")], "title": "2023年全市卫生健康工作要点"}, ("浙江省", "嘉兴市", "")),
    ({"title": "健康城关行动", "body": "为落实兰州市部署，兰州市各区……"}, ("甘肃省", "兰州市", "城关区")),
    ({"issuer": [("h", "城关区卫生健康局")], "body": "拉萨市卫生健康委员会的部署"}, ("西藏自治区", "拉萨市", "城关区")),
    ({"issuer": [("h", "杭州市健康余杭建设领导小组办公室")], "title": "健康余杭三年行动"}, ("浙江省", "杭州市", "余杭区")),
])
def test_documents_resolve_from_their_own_text(kw, expected):
    r = resolve_place(**kw)
    assert (r.province, r.city, r.district) == expected
    assert set(r.sources) == {f for f, v in zip(("province", "city", "district"), expected) if v}


def test_a_banner_written_short_in_the_body_is_the_documents_place():
    # the short form is a name wherever it stands (not the bare stem of a county's name)
    m = next(m for m in national_matcher().find("传达察右前旗委领导批示") if m.surface == "察右前旗")
    assert m.form == "full" and {u.label for u in m.candidates} == {"乌兰察布市察哈尔右翼前旗"}
    r = resolve_place(title="全旗卫生健康工作会议召开", body="贯彻乌兰察布市卫生健康工作会精神。副主任传达察右前旗委领导批示。")
    assert (r.province, r.city, r.district) == ("内蒙古自治区", "乌兰察布市", "察哈尔右翼前旗")


def test_an_ambiguous_district_is_left_unresolved_with_a_note():
    r = resolve_place(issuer=[("header line 1", "鼓楼区卫生健康局")], body="全区卫生健康工作要点")
    assert (r.province, r.city, r.district) == ("", "", "鼓楼区")
    assert "福州市" in r.notes[0] and "南京市" in r.notes[0] and "does not say" in r.notes[0]


def test_a_document_naming_no_place_resolves_to_nothing():
    r = resolve_place(title="2024年卫生健康工作要点", body="推进健康惠民，提升服务。")
    assert (r.province, r.city, r.district) == ("", "", "") and r.notes


def test_a_bare_english_city_name_means_the_loaded_city_not_the_county_inside_it():
    # "Changsha" is the pinyin of both 长沙市 and 长沙县 (a county of 长沙市); with the city's plan
    # loaded, the question is about it — the city among the name's own candidates is no context
    # that would narrow it to the county
    from qa.records import DocMeta

    g = Gazetteer([DocMeta(doc_id="cs", file="cs.txt", title="人均预期寿命提升工作实施方案", province="湖南省",
                           city="长沙市", year=2024)])
    q = "Which provincial plan does Changsha's life expectancy plan implement?"
    assert [(p.field, p.value) for p in g.find(q)] == [("city", "长沙市")]
    assert g.unloaded(q) == []
    assert g.unloaded("长沙县的家庭医生签约率是多少？") == ["长沙市长沙县"]  # the county by its full name


def test_an_english_name_is_matched_in_any_reading_of_its_characters():
    # 都 reads dou first (都是), but du in place names: 都昌县 is "Duchang County"; the usual reading still works
    from qa.records import DocMeta

    g = Gazetteer([DocMeta(doc_id="dc", file="dc.txt", title="2024年卫生健康工作要点", province="江西省",
                           city="九江市", district="都昌县", year=2024)])
    for q in ("What does Duchang County plan for family doctors?", "What does Duchang's plan say about family doctors?"):
        assert [(p.field, p.value) for p in g.find(q)] == [("district", "都昌县")], q
        assert g.unloaded(q) == []


def test_a_place_a_loaded_plans_own_title_names_is_never_reported_unloaded():
    # the catalogue's place fields are extracted; when the extraction missed the city, the plan's
    # own title still says where it is from, and "no document for 宜昌市 is loaded" would be false
    from qa.records import DocMeta

    g = Gazetteer([DocMeta(doc_id="yc", file="yc.txt", title="宜昌市健康城市建设实施方案", year=2022)])
    assert g.unloaded("宜昌市的健康城市建设有哪些任务？") == []
    assert g.unloaded("荆州市的健康城市建设有哪些任务？") == ["湖北省荆州市"]
    # titles name their place short ("健康宜昌行动"); a county needs its city ("南京市鼓楼区")
    g = Gazetteer([DocMeta(doc_id="yc", file="yc.txt", title="健康宜昌行动实施方案", year=2022)])
    assert g.unloaded("宜昌市的健康行动有哪些任务？") == []


def test_an_autonomous_county_of_several_groups_goes_by_its_stem():
    from qa.places.divisions import short_forms

    # "各族" stands where one group's name would (X彝族自治县 → X县, X): the county is asked for as X县
    assert short_forms("甲乙各族自治县") == ("甲乙县", "甲乙")
    assert short_forms("甲乙彝族自治县") == ("甲乙县", "甲乙")


def test_a_city_news_item_naming_only_its_city_is_placed_there():
    # no issuer, title or bureau speaking; the text speaks as a city (全市) and names one unit in full
    body = ("为全面落实全市创建国家卫生城市启动大会精神，8月，朔州市各县(市)区全部制定了创建国家卫生城镇实施方案。"
            "各部门层层联动，全力以赴开展全市创建攻坚战。")
    r = resolve_place(body=body)
    assert (r.province, r.city, r.district) == ("山西省", "朔州市", ""), r
    # a county's text (全县) naming its city in passing is not the city's
    county = "朔州市下达创建任务后，全县卫生健康系统迅速行动，全县各乡镇卫生院加快发展。"
    assert resolve_place(body=county).city == "", resolve_place(body=county)


def test_a_city_the_province_runs_but_the_code_files_under_its_prefecture_is_one_place():
    # 辛集市 is coded both under 石家庄市 and directly under 河北省; a text naming it needs no second place to rule out
    from qa.metadata import extract_metadata
    from qa.places.divisions import divisions

    assert [d.city for d in divisions() if d.name == "辛集市"] == ["石家庄市"]
    m = extract_metadata("辛集市全力推进“健康辛集”建设\n辛集市卫生健康局扎实推进健康辛集建设，全市居民健康素养水平达到28%。\n")
    assert (m["province"], m["city"], m["district"]) == ("河北省", "石家庄市", "辛集市")
