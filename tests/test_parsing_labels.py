"""Source, byline, editor and original-title labels in both scripts."""

import pytest

from crawler.parsing.labels import (
    find_poster,
    lone_name,
    find_authors,
    find_editors,
    find_outlet,
    find_original_title,
    find_source,
    find_wire_authors,
    is_credit_line,
    is_print_edition_line,
    split_names,
)


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("2022年02月13日07:48 | 来源：新华日报", "新华日报"),
        ("来源：人民网－人民日报", "人民网－人民日报"),
        ("來源：香港文匯報 責編：黃小華", "香港文匯報"),
        ("稿源: 扬州日报", "扬州日报"),
        ("来源于：东区办事处", "东区办事处"),
        ("来源：转载文章 ……来源：新闻晨报", "新闻晨报"),
        ("（资料来源：参考消息、海外网等）", None),
        ("素材来源 江苏13个设区市党报", None),
    ],
)
def test_source(text, source):
    assert find_source(text) == source


@pytest.mark.parametrize(
    ("text", "authors"),
    [
        ("□ 本报记者 葛灵丹", ["葛灵丹"]),
        ("本报记者  王乐文  方  敏", ["王乐文", "方敏"]),
        ("（记者陈智 整合）", ["陈智"]),
        ("本报记者罗科苏盈发自北京", ["罗科苏盈"]),
        ("(文/图 刘玺东 易赛楠)", ["刘玺东", "易赛楠"]),
        ("記者 王小明、李大華報導", ["王小明", "李大華"]),
        ("记者 张三 通讯员 李四", ["张三", "李四"]),
        ("作者: 刘满仓 责任编辑: 杨丹宇", ["刘满仓"]),
        ("新华社记者 谢环驰 摄", []),
        ("摄影：张三", []),
        ("记者从上海昆剧团获悉，", []),
        ("鲍威尔在记者会上给出了解释", []),
    ],
)
def test_authors(text, authors):
    assert find_authors(text) == authors


def test_wire_credit_and_signature():
    assert find_wire_authors("新华社北京5月19日电（刘艺、杨吉）中国科学院专家") == ["刘艺", "杨吉"]
    assert find_wire_authors("新华社乌鲁木齐5月9日电（记者邹伟）中共中央") == ["邹伟"]
    assert find_wire_authors("实现“共赢”。（钟才文）") == ["钟才文"]
    assert find_wire_authors("全文完。（完）") == []


@pytest.mark.parametrize(
    ("text", "editors"),
    [
        ("(责编：萧潇、张妍)", ["萧潇", "张妍"]),
        ("【责任编辑:张樵苏】", ["张樵苏"]),
        ("(責編：黃小華、林國強)", ["黃小華", "林國強"]),
        ("编辑：倪仕轩 责任编辑：杨格", ["倪仕轩", "杨格"]),
        ("责任编辑：李跃群 校对：刘威", ["李跃群"]),
        ("审核：张三 监制：李四 值班：王五", []),
        ("（松花江网编辑 孙桂芳）", ["孙桂芳"]),
        ("编辑推荐", []),
    ],
)
def test_editors(text, editors):
    assert find_editors(text) == editors


def test_original_title_both_scripts_and_bracketed():
    assert find_original_title("原标题：春季学期开学，织密返校疫情防控网") == "春季学期开学，织密返校疫情防控网"
    assert find_original_title("原標題：團圓的年味") == "團圓的年味"
    assert find_original_title("（原题为《新年伊始，谈了啥？》）") == "新年伊始，谈了啥？"
    assert find_original_title("没有原题的句子") is None


def test_credit_and_print_edition_lines():
    assert is_credit_line("(责编：萧潇、张妍)") and is_credit_line("来源：新闻晨报")
    assert not is_credit_line("□ 本报记者 葛灵丹")
    assert not is_credit_line("（资料来源：参考消息、海外网等）")
    assert not is_credit_line("编辑部今天收到了很多来信。")
    assert is_print_edition_line("《 人民日报 》（ 2024年05月10日   04 版）")
    assert not is_print_edition_line("《人民日报》发表评论员文章")


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("来源：光明网-《光明日报》", "光明网-《光明日报》"),  # inner book-title marks are part of the name
        ("来源：《人民日报》", "人民日报"),  # marks around the whole name are not
        ("来源: 尹娟", None),  # a person's name is a byline, not a publisher
        ("来源：澎湃", "澎湃"),  # a two-character outlet without a common surname stays
        ("来源：新华社 作者：张三", "新华社"),
    ],
)
def test_source_values(text, source):
    assert find_source(text) == source


@pytest.mark.parametrize(
    ("line", "outlet"),
    [
        ("2022-02-13 09:57 光明网", "光明网"),
        ("http://www.sina.net 2005年03月21日 11:21 《理财周刊》", "理财周刊"),
        ("新华社", "新华社"),
        ("记者 张三 李四", None),
        ("2022-02-13 09:57 阅读量 1024", None),
    ],
)
def test_unlabelled_outlet_in_a_dateline(line, outlet):
    assert find_outlet(line) == outlet


def test_a_byline_label_does_not_read_names_from_the_next_line():
    assert find_authors("来源：当代商报 作者：\n版权声明") == []
    assert find_editors("责任编辑：\n王五") == []


def test_a_writing_verb_after_a_label_word_is_not_a_name():
    assert find_authors("研究部的郭励弘却撰文指出，民资") == []


@pytest.mark.parametrize(
    ("text", "authors"),
    [
        ("记者 张三 摄", []),
        ("记者 张三、李四 摄", []),
        ("文/张三 图/李四 摄", []),
        ("记者 张三", ["张三"]),
        # the photo mark counts only after a name that starts in the byline's first 20 characters
        ("记者 张三 李四 王五 赵六 钱七 孙八 周九 吴十 郑一 摄", ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十", "郑一"]),
    ],
)
def test_a_photo_credit_is_not_a_byline(text, authors):
    assert find_authors(text) == authors


def test_a_photo_mark_on_a_later_line_keeps_the_names():
    assert find_wire_authors("新华社北京5月19日电（记者 张三 摄）") == []
    assert find_wire_authors("……共赢”。（张三\n李四 摄）") == ["张三", "李四"]


@pytest.mark.parametrize(
    ("segment", "names"),
    [("张三 责任编辑：李四", ["张三"]), ("张三、李四 审核：王五", ["张三", "李四"]), ("张三 文/李四", ["张三", "李四"])],
)
def test_a_labelled_credit_ends_the_name_list(segment, names):
    assert split_names(segment) == names


@pytest.mark.parametrize(
    "text",
    [
        "上海市工商局一位工作人员昨也向记者证实，到目前为止没有接到通知。",  # 记者 as the object of 向
        "没有接到通知。记者致电上海、武汉等地商场人士，他们多表示不知情。",  # a sentence, glued words
        "他冲上去卡住了记者的脖子，大有置对方于死地的气焰。",
        "平台声明：该文观点仅代表作者本人，本站仅提供信息存储空间服务。",
        "任何言论纯属作者个人观点，与本站无关。",
        "■该作者文章",
        "有道是历史始于5000年前文字的发明。",
        "来源：示范商报 作者：\n版权声明",  # a label closing its line, and a common word on the next
    ],
)
def test_a_credit_word_inside_a_sentence_names_no_one(text):
    assert find_authors(text) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("新京报记者 彭冲 山东冠县报道", ["彭冲"]),  # the place it was filed from is no writer
        ("（实习记者 樊亮 张明超 记者惠禾）13岁，正是花季的年龄", ["樊亮", "张明超", "惠禾"]),
        ("本报实习生\n刘国栋 周炜\n", ["刘国栋", "周炜"]),  # a label alone on its line credits the next
        ("顶端新闻·河南商报记者马俊峰/文 受访者供图", ["马俊峰"]),
        ("新华日报·交汇点记者 徐睿翔", ["徐睿翔"]),
        ("- 作者： 流泉 访问统计： 2005年08月30日", ["流泉"]),  # the next field's label is not a name
        ("作者:zboygirl 阅读(1660) 发表于", ["zboygirl"]),  # a blog's user name after 作者:
    ],
)
def test_credit_grammar_gives_exactly_the_credited_names(text, names):
    assert find_authors(text) == names


@pytest.mark.parametrize(("line", "name"), [("胡平", "胡平"), ("歐陽靖", "歐陽靖"), ("版权", None), ("上海", None), ("新华社", None)])
def test_a_lone_name_needs_a_surname_and_is_no_place_or_outlet(line, name):
    assert lone_name(line) == name


def test_an_original_title_stops_at_the_next_credit_label():
    line = "原标题：为什么有些人一喝酒就脸红 出品︱科学栏目组 作者︱春春 [责任编辑:王五]"
    assert find_original_title(line) == "为什么有些人一喝酒就脸红"
    assert find_original_title("原标题：老街新生记【责任编辑：王五】") == "老街新生记"
    assert find_authors(line) == ["春春"]


def test_an_editor_label_without_a_colon_needs_surnamed_names():
    assert find_editors("曼谷禁过情人节 编辑 回复 近年来，泰国的首都曼谷") == []
    assert find_editors("（责任编辑 王五 李四）") == ["王五", "李四"]
    assert find_editors("欢迎来信给编辑：提出建议") == []  # 给编辑 is the object of a sentence


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("本贴由\n大卫\n于2005年8月12日16:12:21在〖心灵体操〗发表.", ["大卫"]),
        ("打印 (295) 由海姑娘张贴 @ 2005-06-10 05:41:31", ["海姑娘"]),
        ("〓 网易娱乐 明星话题 发布时间 2005/03/15 22:36:13 by duscha 〓", ["duscha"]),
        ("这项政策由市政府于2024年5月发布", []),  # 由 inside a sentence credits no one
        ("图片由受访者提供", []),
    ],
)
def test_a_post_is_credited_to_its_poster_by_forum_grammar(text, names):
    assert find_poster(text) == names
