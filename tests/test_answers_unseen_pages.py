"""Answers on the pages of unseen places (stop 36's development sets fresh16–19): figures written without a
unit word or in a table printed one bare cell per line, meeting news (who chaired, how many came, whose speech),
and page furniture (a footer, a forum stamp, a breadcrumb, a 繁體 title line) that never answers. Written as what a
user sees; the places are the 卫东区 fixture's."""
from __future__ import annotations

from dataclasses import replace

from qa.answering.answer import build_answer
from qa.answering.asked import asked_kind
from qa.search.query import analyze
from test_answer_choice import gaz, hit  # noqa: F401 (gaz is a fixture)


def test_a_rate_printed_right_after_its_indicator_without_a_percent_sign_answers(gaz):
    question = "卫东区国家卫生城市复审时群众满意率是多少？"
    stated = "卫东区高分通过国家卫生城市复审现场评估，群众满意率98.01，居全省第一。"
    a = build_answer(question, [hit(stated)], query=analyze(question, gaz), abstain=False)
    assert not a.abstained, a.lead
    assert "98.01" in a.sentences[0].text
    # a horizon year after the rate's name is still no figure
    horizon = "卫东区高分通过国家卫生城市复审现场评估，群众满意率2025年前持续提升。"
    b = build_answer(question, [hit(horizon)], query=analyze(question, gaz), abstain=False)
    assert b.abstained and b.why == "no figure", b.lead


def test_jihao_asks_for_a_day_and_is_answered_by_the_date_of_the_visit(gaz):
    question = "省卫健委代表团是几号到卫东区调研的？"
    q = analyze(question, gaz)
    assert asked_kind(q) in ("day", "date")
    stated = "3月4日，省卫生健康委党组书记率代表团到卫东区开展调研，区委书记参加调研座谈会。"
    other = "卫东区人民医院就2023年工作重点作汇报。"
    a = build_answer(question, [hit(other), hit(stated)], query=q, abstain=False)
    assert not a.abstained and a.sentences[0].text.startswith("3月4日"), a.lead
    assert asked_kind(analyze("卫东区卫健委几号文件提出了这项要求？", gaz)) != "date"


def test_a_bare_tables_row_answers_a_count_in_a_unit_its_table_leaves_out(gaz):
    # the indicator table of a web page printed one cell per line (qa.corpus.cleaning gives its rows back);
    # the bed row has no unit cell, so 张 is nowhere, yet the row is the answer
    from qa.corpus.cleaning import clean
    from test_damaged_copies import _BARE

    table = clean("\n\n".join(_BARE[2:])).text
    question = "卫东区到2025年每千人口床位要搞到多少张？"
    a = build_answer(question, [hit(table)], query=analyze(question, gaz), abstain=False)
    assert not a.abstained, a.lead
    assert "每千人口拥有医疗卫生机构床位数" in a.sentences[0].text and "5.23" in a.lead


def test_an_ordinal_hospital_name_counts_no_people(gaz):
    # 第二人民医院 holds 二人 but counts nobody: asked how many people, a plan that only names it states no figure
    question = "卫东区2022年计划招聘多少名公共卫生人才？"
    text = "卫东区2022年计划加强公共卫生人才招聘，推进第二人民医院扩建、第三人民医院迁建等7个项目。"
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
    assert a.abstained and a.why in ("asked unit absent", "no figure"), a.lead
    from qa.answering.asked import unit_present

    # a count of people followed by 民 is still one: 10名民警, 30万人民群众
    assert unit_present("名", ["抽调10名民警"]) and unit_present("人", ["惠及30万人民群众"])
    stated = "卫东区计划招聘公共卫生人才三十人，充实区疾控中心。"
    b = build_answer(question, [hit(stated)], query=analyze(question, gaz), abstain=False)
    assert not b.abstained, b.lead


def test_a_count_in_chu_answers_and_a_pointer_ji_asks_no_unit(gaz):
    question = "卫东区今年要开工建几处城市社区卫生服务中心？"
    stated = "卫东区加快区精神卫生中心新院区建设，启动3处城市社区卫生服务中心建设。"
    a = build_answer(question, [hit(stated)], query=analyze(question, gaz), abstain=False)
    assert not a.abstained and "3处" in a.sentences[0].text, a.lead
    # "那几项任务是谁来挑头的": 几项 points at the tasks; who leads them is asked, in no unit
    who = "卫东区医改那几项月度任务，是谁来挑头的？"
    q = analyze(who, gaz)
    assert asked_kind(q).startswith("org")
    text = "深化医药卫生体制改革月度任务由区卫健委主任王某某同志牵头，各科室配合落实。"
    b = build_answer(who, [hit(text)], query=q, abstain=False)
    assert not b.abstained, b.lead


def test_how_many_came_is_answered_by_the_attendance_figure(gaz):
    # "一共来了多少人" shares no word with "…共计50余人参加了会议", but that is the answer's own frame
    from qa.answering.answer import split_sentences

    question = "卫东区这次鼠疫防控会一共来了多少人？"
    text = "鼠防工作领导小组成员单位负责人、各医疗卫生单位负责人、全体干部职工共计50余人参加了会议。会议由副县长主持。"
    h = hit(text)
    sims = {h.chunk_id: [(x, y, 0.85 if "50余人" in text[x:y] else 0.8) for x, y in split_sentences(text)]}
    a = build_answer(question, [h], query=analyze(question, gaz), abstain=False, sims=sims, sim_stats=(0.7, 0.05))
    assert not a.abstained and "50余人" in a.sentences[0].text, a.lead


def test_whose_speech_and_who_chaired_are_answered_by_the_office_holder(gaz):
    # 秘书长 is an office; "whose speech was relayed" asks for the speaker
    question = "卫东区卫生健康工作会议由谁主持？"
    text = ("区政府副区长李某某出席会议并讲话，区人大、区政协有关负责同志出席会议。"
            "会议由区政府副秘书长赵某某主持。")
    q = analyze(question, gaz)
    assert asked_kind(q) == "person"
    a = build_answer(question, [hit(text)], query=q, abstain=False)
    assert not a.abstained and "赵某某" in a.sentences[0].text, a.lead
    assert asked_kind(analyze("Whose speech was relayed at Weidong's health work meeting?", gaz)) == "person"
    assert asked_kind(analyze("卫东区卫生工作会议传达了谁的讲话？", gaz)) == "person"


def test_a_copys_footer_and_a_forum_stamp_never_answer(gaz):
    # in meaning, a page's furniture may sit closest to a question in other words; it still never answers
    from qa.answering.answer import split_sentences

    question = "那次开会到底说了些啥？"
    body = "卫东区召开卫生工作会议，要求全区卫生系统把工作重点转移到强基层上来。"
    q = analyze(question, gaz)
    for debris in ("Copyright © 2003-2009 example.com All rights reserved.", "某某网一用户2024-03-06", "卫健委〔20204",
                   "您的位置: 衛東健康網 >  健康快訊 >"):
        text = f"{body}\n{debris}"
        h = hit(text)
        sims = {h.chunk_id: [(x, y, 0.82 if text[x:y].strip() == debris else 0.8) for x, y in split_sentences(text)]}
        a = build_answer(question, [h], query=q, abstain=False, sims=sims, sim_stats=(0.7, 0.05))
        assert debris not in a.sentences[0].text, (debris, a.lead)


def test_a_traditional_copys_own_title_line_is_furniture(gaz):
    from qa.answering.furniture import own_title

    # the catalogue keeps the simplified title; the copy prints it in 繁體
    assert own_title("副區長王某某調研我區衛生健康工作", "副区长王某某调研我区卫生健康工作")
    assert not own_title("副區長王某某詳細了解傳染病預防、疫苗接種等工作", "副区长王某某调研我区卫生健康工作")


def _answer(question, text, gaz):
    """An answer over one passage whose sentences all sit equally near the question (as English questions
    do on the real index), so only the question's kind and frame can choose."""
    from qa.answering.answer import split_sentences

    sims = {"weidong-2021#1": [(x, y, 0.8) for x, y in split_sentences(text)]}
    query, lang = analyze(question, gaz), "zh"
    if question.isascii():
        # the index's CC-CEDICT lexicon translates "chaired", "symposium"; this test loads none, so the
        # question is taken as understood, as it is there
        query, lang = replace(query, en_coverage=1.0), "en"
    return build_answer(question, [hit(text)], query=query, abstain=False, lang=lang, sims=sims, sim_stats=(0.7, 0.05))


def test_the_title_of_a_work_report_is_answered_by_the_line_that_quotes_it(gaz):
    # asked for a report's title, the answer is the sentence with the title in 《》, not one sharing more words
    text = ("2023年卫东区卫生健康工作会议召开，会议总结了卫东区2022年卫生健康工作，部署2023年重点工作。"
            "区卫生健康委主任作了题为《凝心聚力谋发展，踔厉奋发开新局》的工作报告。")
    for question in ("What was the title of the work report given at Weidong District's 2023 health work meeting?",
                     "卫东区2023年卫生健康工作会议上作的工作报告题目是什么？"):
        q = analyze(question, gaz)
        assert asked_kind(q) == "title", question
        a = _answer(question, text, gaz)
        assert not a.abstained and "《凝心聚力谋发展" in a.sentences[0].text, (question, a.lead)
    # the title of the plan itself is still the header's question
    assert asked_kind(analyze("What is the title of Weidong District's 2023 plan?", gaz)) != "title"


def test_an_english_question_about_who_chaired_or_spoke_is_answered_in_the_meetings_own_verbs(gaz):
    text = ("卫东区召开卫生健康工作座谈会，副区长张某某出席会议，区卫生健康委各科室负责人参加会议。"
            "会议由区卫生健康委主任李某某主持。区委书记王某某出席会议并讲话。")
    chaired = "Who chaired the Weidong District health work symposium?"
    a = _answer(chaired, text, gaz)
    assert not a.abstained and "主持" in a.sentences[0].text, a.lead
    spoke = "Who attended and spoke at the Weidong District health work symposium?"
    b = _answer(spoke, text, gaz)
    assert not b.abstained and "讲话" in b.sentences[0].text, b.lead


def test_an_english_question_about_the_main_line_is_answered_by_the_plans_yi_wei_zhuxian(gaz):
    question = "What main line did Weidong District's health system say its 2023 work followed?"
    text = ("会议指出，2023年是卫东区卫生健康事业加速发展的一年，卫生健康系统工作取得新成效。"
            "全区卫生健康系统以推动高质量发展为主线，统筹推进各项重点任务。")
    a = _answer(question, text, gaz)
    assert not a.abstained and "为主线" in a.sentences[0].text, a.lead


def test_the_plans_own_title_is_no_answer_to_which_document_it_follows(gaz):
    # the transmittal line quotes the plan's own title in 《》 and shares the question's words naming it;
    # asked which document the plan follows, the answer is the one it cites
    text = ("《2021年全区卫生健康重点工作安排》已经区政府同意，现印发给你们，请认真贯彻执行。"
            "根据《某省卫生健康事业发展规划》要求，结合实际，做好各项工作。")
    question = "卫东区2021年全区卫生健康重点工作安排依据了哪个文件？"
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False)
    assert not a.abstained and "《某省卫生健康事业发展规划》" in a.sentences[0].text, a.lead


def test_asked_from_where_to_where_the_work_turns_the_plans_shift_answers(gaz):
    # "从哪儿挪到哪儿" shares no word with "从以治病为中心向以人民健康为中心转变", but that is the answer's frame
    text = ("卫东区将健康卫东行动纳入经济社会发展总体规划，健全工作机制。"
            "推动卫生健康工作从以治病为中心向以人民健康为中心转变，提高全民健康水平。")
    for question in ("卫东区打算把医疗工作的重心从哪儿挪到哪儿？", "卫东区的看病思路要转向什么？",
                     "What is Weidong District's health work shifting from, and towards what?"):
        a = _answer(question, text, gaz)
        assert not a.abstained and "转变" in a.sentences[0].text, (question, a.lead)


def test_a_traditional_script_copy_is_matched_by_the_questions_frame(gaz):
    # "完善哪两大体系" frames "完善…两大体系"; a 繁體 copy writes "兩大體系", which the frame reads as simplified
    text = ("卫东区2012年卫生工作要加快推进城乡卫生事业协调发展，完善卫生工作机制，保障群众健康。"
            "完善農村衛生、社區衛生兩大體系，統籌城鄉協調發展。")
    question = "卫东区2012年卫生工作要完善哪两大体系？"
    a = _answer(question, text, gaz)
    assert not a.abstained and a.sentences[0].text.startswith("完善農村衛生"), a.lead


def test_a_news_lead_dated_recently_or_under_a_sites_byline_is_no_answer_to_who_reported(gaz):
    # "本报讯(记者X)近日，…召开" and "XX网/XX客户端讯4月11日上午，…召开" announce the meeting as a dated lead does
    for lead in ("本报讯(记者王某)近日，卫东区召开2025年卫生健康工作会议，副区长张某某出席会议并讲话。",
                 "某某网/某某新闻客户端讯4月11日上午，卫东区2025年卫生健康工作会议召开，副区长张某某出席会议并讲话。"):
        text = lead + "区卫生健康委主任李某某在会上作全区卫生健康工作报告。"
        question = "卫东区2025年卫生健康工作会议上由谁作全区卫生健康工作报告？"
        a = _answer(question, text, gaz)
        assert not a.abstained and "李某某" in a.sentences[0].text, (lead, a.lead)
    # asked what was held, the lead announcing the event is the answer
    text = ("某某网讯(记者王某)7月23日，卫东区召开心理服务体系建设试点启动会暨心理健康教育讲座。"
            "区委、区政府高度重视试点工作，成立了心理服务体系建设试点工作领导小组。")
    a = _answer("卫东区启动心理服务体系建设试点时，同时举办了什么活动？", text, gaz)
    assert not a.abstained and "讲座" in a.sentences[0].text, a.lead


def test_a_traditional_script_figure_carries_the_asked_unit(gaz):
    # 億元, 個: the figure patterns are simplified; a 繁體 copy's amount is still the amount asked for
    question = "卫东区2023年计划投资多少钱推进区人民医院新院建设？"
    text = "卫东區持續鞏固脫貧成果，推進醫共體高效運行。2023年，卫东區計劃投資20億元，全力推進區人民醫院新院建設。"
    a = _answer(question, text, gaz)
    assert not a.abstained and "20億元" in a.sentences[0].text, a.lead


def test_a_photo_caption_naming_an_official_answers_only_who(gaz):
    text = "卫东区副区长张某某\n2020年，实现疫情发生至今零感染、零本土病例，国家卫生城市巩固工作顺利通过复查。"
    a = _answer("卫东区闹新冠以来，本地有没有人中招？", text, gaz)
    assert not a.abstained and "零感染" in a.sentences[0].text, a.lead


def test_a_when_clause_inside_an_english_question_asks_no_date(gaz):
    from qa.answering.asked import ASKS_DATE

    assert not ASKS_DATE.search("What does the township doctor take along when visiting the village?")
    assert ASKS_DATE.search("When did Weidong hold its 2022 health work conference?")
    assert ASKS_DATE.search("By when must the plan be completed?")
    text = ("3月7日上午，国家卫生健康委员会主任在记者会上表示，要推进深化医药卫生体制改革。"
            "卫东区乡卫生院医生与护士一起，带着巡诊箱深入村里，为村民看诊。")
    a = _answer("What does the Weidong township health centre doctor take along when visiting villages?", text, gaz)
    assert not a.abstained and "巡诊箱" in a.sentences[0].text, a.lead


def test_which_reporter_is_answered_by_the_byline(gaz):
    text = ("国家卫生健康委员会主任在记者会上表示，要牢牢把握公益性这个主题，推进卫东区医改。"
            "□某某日报记者王小明 通讯员李某 文/图")
    for question in ("Which Daily reporter wrote the report on Weidong District's health reform?",
                     "卫东区医改那篇报道是哪位记者写的？"):
        a = _answer(question, text, gaz)
        assert not a.abstained and "王小明" in a.sentences[0].text, (question, a.lead)



def test_how_many_people_is_answered_by_a_count_in_ren(gaz):
    # "people" translates to 人口/人民 (the lexicon), but a plan counts people in 人 or 名: a count in 人 is the count asked
    from qa.answering.figures import counted_terms, counts

    question = "How many people did Weidong District's health talks in offices, communities and schools reach?"
    counted = counted_terms(analyze(question, gaz))
    assert counts("走进机关、走进社区开展健康宣讲，惠及人群12000余人。", counted)
    assert not counts("组建4个专科联盟。", counted)
    text = "卫东区走进机关、走进社区、走进学校开展健康宣讲，普及健康知识，惠及人群12000余人。"
    a = _answer(question, text, gaz)
    assert not a.abstained and "12000余人" in a.sentences[0].text, a.lead


def test_a_place_whose_heading_writes_the_quoted_phrase_is_listed(gaz):
    # "七、扎实做好“一老一小”照护服务…" heads items that never repeat the phrase; the heading says it of them all
    from test_answer import ask, hit as doc_hit

    said = doc_hit("jiading-2024#17", "推进“一老一小”整体解决方案，发展普惠托育服务。", 2.0)
    headed = doc_hit("weidong-2021#26", "25. 积极应对人口老龄化。完善老龄工作机制，健全工作机构和工作队伍。", 1.5,
                     section="七、扎实做好“一老一小”照护服务和妇幼健康工作 > 25. 积极应对人口老龄化")
    other = doc_hit("gulou-2021#12", "26. 做好婴幼儿照护服务。落实托育机构登记和备案管理办法。", 1.0)
    a = ask(gaz, "哪些地方的文件提到了“一老一小”？", [said, headed, other])
    assert a.districts == ("上海市嘉定区", "平顶山市卫东区"), a.lead


def test_a_table_row_far_closest_in_meaning_states_the_asked_rate(gaz):
    # the colloquial question shares no word with the row, but the row sits far closer to it than any other
    from qa.answering.answer import split_sentences

    text = ("序号\t主要指标\t单位\t2020年\t2025年目标\t指标性质\n1\t婴儿死亡率\t‰\t2.28\t<3\t预期性\n"
            "7\t15岁以上人群吸烟率\t%\t-\t<20\t预期性")
    question = "卫东区打算让十五岁往上的人里抽烟的占比压到多少？"
    sims = {"weidong-2021#1": [(x, y, 0.95 if "吸烟" in text[x:y] else 0.8) for x, y in split_sentences(text)]}
    a = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False, sims=sims, sim_stats=(0.7, 0.05))
    assert not a.abstained and "吸烟率" in a.sentences[0].text, (a.why, a.lead)
    # as close as the rest, a row says nothing of which indicator was asked
    flat = {"weidong-2021#1": [(x, y, 0.8) for x, y in split_sentences(text)]}
    b = build_answer(question, [hit(text)], query=analyze(question, gaz), abstain=False, sims=flat, sim_stats=(0.7, 0.05))
    assert b.abstained, b.lead


def test_two_places_asked_for_their_documents_each_get_a_line(gaz):
    # "A和B分别依据了哪个文件" asks each named place's document; 哪个文件 does not make it a which-place question
    from test_answer import ask, hit as doc_hit

    gulou = doc_hit("gulou-2021#1", "鼓楼区健康行动方案为贯彻落实《福州市人民政府关于推进健康福州行动的实施意见》精神，结合我区实际，制定本方案。", 2.0)
    weidong = doc_hit("weidong-2021#1", "根据《平顶山市健康城市建设规划》要求，做好工作。", 1.5)
    a = ask(gaz, "鼓楼区和卫东区的健康行动方案分别依据了所在城市的哪个文件？", [gulou, weidong])
    assert a.districts == ("福州市鼓楼区", "平顶山市卫东区"), a.lead
    assert "《平顶山市健康城市建设规划》" in a.lead


def test_asked_what_recipients_are_to_do_the_transmittal_line_answers(gaz):
    # the notice's 请-clause says what the units receiving the plan must do; it is furniture for any other question
    addressee = "各街道办事处，区直各单位："
    short = "现将《2021年全区卫生健康重点工作安排》印发给你们，请认真贯彻执行。"
    other = "为全面提升居民健康水平，结合卫东区实际，制定本工作安排。"
    for question in ("卫东区的工作安排发下来，下面各单位要怎么做？", "卫东区的街道拿到工作安排以后要干啥？"):
        a = _answer(question, "\n".join([addressee, short, other]), gaz)
        assert not a.abstained and "请认真贯彻执行" in a.sentences[0].text, (question, a.lead)
    a = _answer("卫东区为什么要制定这个工作安排？", "\n".join([addressee, short, other]), gaz)
    assert "请认真贯彻执行" not in a.sentences[0].text, a.lead


def test_a_transmittal_line_that_gives_tasks_of_its_own_is_no_furniture():
    from qa.answering.furniture import titleish

    assert titleish("现将《2021年全区卫生健康重点工作安排》印发给你们，请认真贯彻执行。")
    assert titleish("现将《2021年全区卫生健康重点工作安排》印发给你们，请结合实际认真抓好贯彻落实。")
    assert not titleish("现将《2021年全区卫生健康重点工作安排》印发给你们，请结合实际，研究制定本部门的工作方案，"
                        "建立任务清单、责任清单和成果清单，确保完成各项任务。")


def test_when_a_thing_was_started_is_answered_by_the_sentence_that_starts_it(gaz):
    # "start/begin" carries no Chinese word; the plan writes 启动/开始, and a later year's plan for the same thing is
    # not when it began
    text = "2019年，卫东区将扩大健康素养促进行动覆盖面，力争覆盖全部社区。卫东区于2016年启动健康素养促进行动，逐年推进。"
    for question in ("In what year did Weidong District begin its health literacy promotion campaign?",
                     "When did Weidong District start the health literacy promotion campaign?"):
        a = _answer(question, text, gaz)
        assert not a.abstained and "2016年启动" in a.sentences[0].text, (question, a.lead)
