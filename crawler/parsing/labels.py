"""Label patterns of Chinese news pages (来源, 记者, 责编, 原标题 …), in both scripts.

Sources, bylines and editor lines are written as ``LABEL：VALUE`` in free text, with
every kind of bracket, colon and spacing. These helpers read them from plain text, so
every site template shares one reading. Names are validated as names (2–4 Han
characters, or a transliterated name with ``·``) so that sentences like
"记者从…获悉" never turn into bylines.
"""

from __future__ import annotations

import re

from crawler.parsing.chinese import to_simplified

#: Labels that introduce the publishing source, longest first.
_SOURCE_WORDS = "来源于|來源於|来源|來源|稿源|出处|出處"
#: ``资料来源``/``素材来源``/``图片来源``/``数据来源`` credit material, not the page.
_NOT_PAGE_SOURCE = r"(?<![料材片据據息])"
_SOURCE = re.compile(
    _NOT_PAGE_SOURCE + f"(?:{_SOURCE_WORDS})" + r"\s*[:：]\s*"
    r"(?P<value>[^\s|｜,，;；)）\]】]+(?:[ 　]?[-－—][ 　]?[^\s|｜,，;；)）\]】]+)?)"
)

#: An outlet's name: in book-title marks, or ending in a media word (网, 报, 社, 台, 刊, 频道, 客户端 …).
_OUTLET = re.compile(
    r"^(?:《[^》\s]{2,15}》|[\u4e00-\u9fffA-Za-z·\-－]{1,14}(?:网|網|报|報|社|台|刊|频道|頻道|客户端|客戶端|新闻|新聞|杂志|雜誌|在线|在線))$"
)
#: Where dateline tokens end: spaces, bars and the label colons of neighbouring fields.
_TOKEN_SPLIT = re.compile(r"[\s|｜/]+")
#: The most common Chinese surnames (together far over half the population): a person test for 来源 values.
_COMMON_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "張劉陳楊黃趙吳孫馬鄭謝韓馮鄧蕭葉蘇呂盧薑鍾譚陸範賈韋鄒閆賀顧龔萬錢嚴湯"
)

#: Single-character surnames of nearly everyone in China (the common ones above and several
#: hundred more), for names read without a colon or a line of their own: ``记者证实`` or
#: ``作者：⏎版权声明`` name no one, ``记者惠禾`` does. Traditional names are checked after t2s.
_SURNAMES = _COMMON_SURNAMES | frozenset(
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴"
    "霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑"
    "景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
    "官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖"
    "漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹"
    "诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由萧"
)
_COMPOUND_SURNAMES = frozenset("欧阳 司马 诸葛 上官 慕容 令狐 皇甫 司徒 东方 夏侯 尉迟 公孙 长孙 宇文 独孤 端木 西门 南宫 申屠 呼延".split())

#: Values that stand in for a source without naming one.
_PLACEHOLDER_SOURCES = frozenset({"转载文章", "转载", "網絡", "网络", "互联网", "网络转载", "本站", "本网", "未知", "无", "不详"})

_AUTHOR_WORDS = (
    r"本报记者|本報記者|本刊记者|本刊記者|本台记者|本台記者|特约记者|特約記者|见习记者|見習記者|实习记者|實習記者"
    r"|首席记者|首席記者|记者|記者|作者|撰文|撰稿|通讯员|通訊員|实习生|實習生|执笔人|執筆人|执笔|執筆|文字"
    r"|文\s*[/／]\s*(?:图|圖)?"
)
_AUTHOR_LABEL = f"(?:{_AUTHOR_WORDS})"
_EDITOR_WORDS = "责任编辑|責任編輯|责编|責編|编辑|編輯"
_EDITOR_LABEL = f"(?:{_EDITOR_WORDS})"

#: Labels of people who are credited but are not writers or editors: they end a name list.
_OTHER_ROLE_WORDS = (
    "审核|審核|监制|監製|校对|校對|值班|终审|終審|初审|初審|复审|複審|统筹|統籌|策划|策劃"
    "|摄影|攝影|摄像|攝像|视频|視頻|图|圖|设计|設計|海报|海報|制图|製圖"
)
_OTHER_ROLES = f"(?:{_OTHER_ROLE_WORDS})"

# The names are read in a lookahead so that a following label (作者：X 责任编辑：Y) is still matched.
# A label alone at the end of its line (``作者：⏎芊草凡凡``, ``本报记者⏎王燕平 方云凤``) credits the next line.
_AUTHORS = re.compile(
    _AUTHOR_LABEL + r"(?P<gap>[ \t　]*(?P<colon>[:：︱｜])?[ \t　]*)"
    r"(?=(?P<names>[^\n]{0,60})(?:\n(?P<next>[^\n]{0,40}))?)"
)
_EDITORS = re.compile(_EDITOR_LABEL + r"(?:[ \t　]*(?P<colon>[:：︱｜])[ \t　]*|[ 　]+)(?=(?P<names>[^\n]{0,60}))")
#: What may come right before a credit label inside a run of Han text: an outlet (新京报记者,
#: 新华社记者, 央视记者, 澎湃新闻记者). After any other Han character the label is a word in a
#: sentence (告诉记者, 卡住了记者的, 代表作者本人, 该作者文章), not a credit.
_OUTLET_END = frozenset("报報社台网網刊视視闻聞志誌")
#: Verbs, prepositions and particles that make a following 记者/作者 the object of a sentence.
_SENTENCE_BEFORE_LABEL = frozenset("的了向对對给給让讓被该該属屬表和与與跟同位名说說诉訴问問到在是为為由从從据據把将將请請令使替帮幫前")
_ROLE_AFTER_SLASH = re.compile(r"\s*[/／]\s*[文图圖摄攝]")
#: Forum and blog post credits (see :func:`find_poster`).
_POSTED_BY = re.compile(
    r"(?:^|[\s本此])(?:贴|帖|貼)?由\s*(?P<name>[^\s\d于於@，。：:]{2,12}?)\s*(?:[于於]\s*\d|张贴|張貼|发表|發表|发布|發佈|@)"
)
_POSTED_AT_BY = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?\s+by\s+(?P<name>[A-Za-z\u3400-\u9fff][\w.\-\u3400-\u9fff]{1,19})")
#: A user name after ``作者：`` on blogs and forums (``作者:zboygirl``).
_HANDLE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{2,19}$")
#: Province-level places and the words places end in: a token glued to 报道 after a name is where
#: the story was filed (``彭冲 山东冠县报道``), not a second writer.
_PROVINCES = frozenset(
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 "
    "云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 臺灣 廣東 廣西 陝西 遼寧 黑龍江 雲南 貴州 寧夏 澳門".split()
)
#: A writer's label glued to a name inside a list of names (``樊亮 张明超 记者惠禾``).
_AUTHOR_PREFIX = re.compile(r"^(?:实习记者|實習記者|记者|記者|通讯员|通訊員|实习生|實習生)(?=[\u3400-\u9fff]{2})")
_PLACE_END = re.compile(r"(?:省|市|县|縣|区|區|州|镇|鎮|乡|鄉|村|岛|島)$")

#: Xinhua-style dateline credit: ``新华社北京5月19日电（刘艺、杨吉）`` or ``…电（记者邹伟）``.
_WIRE_CREDIT = re.compile(r"电\s*[（(](?P<names>[^）)]{2,40})[）)]")
#: A closing signature in brackets at the very end of the text: ``…共赢”。（钟才文）``.
_SIGNATURE = re.compile(r"[（(](?P<names>[\u4e00-\u9fff·\s、，,]{2,30})[）)]\s*$")

#: Where an original title run on into the next credit ends: a label and its separator
#: (`` 出品︱…``, `` 作者：…``), or a bracketed credit (``[责任编辑:…``).
_AFTER_ORIGINAL_TITLE = re.compile(
    r"\s+[^\s:：︱｜|]{0,6}?(?:出品|作者|記者|记者|编辑|編輯|责编|責編|来源|來源|撰文|摄影|攝影)\s*[:：︱｜|/]"
    r"|\s*[\[【［]\s*(?:责任编辑|責任編輯|责编|責編|编辑|編輯|来源|來源)"
)
_ORIGINAL_TITLE = re.compile(r"(?:(?:原标题|原標題|原题|原題)\s*[:：]|原题为|原題為)\s*(?P<value>[^\n]+)")

#: A print-edition line of a reprint: ``《 人民日报 》（ 2024年05月10日   04 版）``.
_PRINT_EDITION = re.compile(r"^《\s*[^》]{2,15}\s*》\s*[（(][^）)]{0,30}\d+\s*版\s*[）)]$")

#: Lines made only of source/editor/proofreader credits (dropped from article bodies).
_CREDIT_LINE = re.compile(
    r"^[\s(（\[【「]*[^\s:：。！？]{0,8}?" + _NOT_PAGE_SOURCE
    + f"(?:{_EDITOR_WORDS}|{_OTHER_ROLE_WORDS}|{_SOURCE_WORDS})"
    + r"(?:\s*[:：]|[ 　])[^。！？!?]{0,50}$"
)

#: The words of :data:`_CREDIT_LINE`, one of which any credit line holds.
_CREDIT_WORD = re.compile(f"{_EDITOR_WORDS}|{_OTHER_ROLE_WORDS}|{_SOURCE_WORDS}")

#: Any credit label followed by a colon: where one name list ends and the next begins. One flat
#: alternation of words, so that the regex engine skips to the characters that can start one
#: (nested alternatives made it try every position, ten times slower).
_NEXT_LABEL = re.compile(f"(?:{_OTHER_ROLE_WORDS}|{_EDITOR_WORDS}|{_SOURCE_WORDS}|{_AUTHOR_WORDS})" + r"\s*[:：]")
_LABEL_TOKEN = re.compile(f"^(?:{_OTHER_ROLE_WORDS}|{_EDITOR_WORDS}|{_SOURCE_WORDS})$")
_PUNCT_SPLIT = re.compile(r"[、，,/／\s]+")
_NAME_END = re.compile(r"[）)】\]」』|｜。；;！!？?:：“”\"《》<>]")
_HAN_NAME = re.compile(r"^[\u3400-\u9fff]{2,4}$")
_FOREIGN_NAME = re.compile(r"^[\u3400-\u9fff]{1,8}(?:[·•．][\u3400-\u9fff]{1,8})+$")

#: Words that follow a 记者-style label in sentences but are never names.
_NOT_NAMES = frozenset(
    "获悉 了解 注意到 看到 发现 采访 来到 走进 走访 表示 近日 日前 今天 昨天 昨日 今日 目前 现场 一行 "
    "会上 手记 观察 调查 节日 专访 问答 对话 写道 提问 统计 体验 探访 实地 从中 得知 查询 联系 随机 "
    "编辑 记者 作者 通讯员 整合 报道 综合 摄影 编译 实习生 文字 來源 来源 推荐 部门 委员 主任 "
    "指出 认为 介绍 强调 透露 提出 提到 坦言 分析 评论 称赞 说道 发文 撰写".split()
)
#: Role words that may sit between names in a byline without ending it.
_ROLE_WORDS = frozenset("通讯员 通訊員 实习生 實習生 记者 記者 本报记者 特约记者 整合 整理 编译 報道 报道 综合 撰文 文".split())
#: A photo credit after a name (``张三 摄``, ``新华社供图``); the name must start within the first
#: ``_PHOTO_NAME_START`` characters of the byline for the credit to be the byline's.
_PHOTO_MARK = re.compile(r"\s*(?:摄|攝|供图|供圖)")
_PHOTO_NAME_START = 20
#: Trailing words glued to a name (``罗科苏盈发自北京``, ``陈智整合``).
_NAME_SUFFIX = re.compile(r"(?:发自|發自|报道|報道|报导|報導|整合|整理|编译|編譯|综合|綜合|摄|攝).*$")


def find_source(text: str) -> str | None:
    """The first labelled source in ``text`` that names one.

    Placeholders such as 转载文章 are skipped, and so is a bare personal name: a source
    is an outlet, and pages that put the writer after 来源 credit a person, not a publisher.
    """
    for match in _SOURCE.finditer(text):
        value = _unwrap(match.group("value"))
        if value and value not in _PLACEHOLDER_SOURCES and not _is_person(value):
            return value
    return None


def find_outlet(line: str) -> str | None:
    """An unlabelled source in a dateline: a ``《…》`` title or a name ending like an outlet (…网, …报, …社).

    Many pages print the source with no 来源 label next to the date (``2022-02-13 09:57 光明网``)
    or on its own line above it; only whole tokens that read as outlet names count.
    """
    for token in _TOKEN_SPLIT.split(line):
        if looks_like_outlet(token):
            return _unwrap(token)
    return None


def looks_like_outlet(text: str) -> bool:
    """Whether ``text`` is a publication's name: ``《理财周刊》`` or ``光明网``/``新华社``/``中国新闻网``."""
    return _OUTLET.match(text.strip()) is not None


def _unwrap(value: str) -> str:
    """Drop quotes and a pair of book-title marks around a whole value, keep them inside (``光明网-《光明日报》``)."""
    value = value.strip("\"“”'「」 ")
    if value.startswith(("《", "〈")) and value.endswith(("》", "〉")) and value.count("《") + value.count("〈") == 1:
        return value[1:-1].strip()
    if value.startswith("《") and value.count("《") > value.count("》"):
        value = value[1:]
    if value.endswith("》") and value.count("》") > value.count("《"):
        value = value[:-1]
    return value.strip()


def _is_person(value: str) -> bool:
    """A 2–3 character Han name with a common surname and no outlet ending (``尹娟``, not ``新华社`` or ``澎湃``)."""
    return (
        2 <= len(value) <= 3
        and value[0] in _COMMON_SURNAMES
        and is_name(value)
        and not looks_like_outlet(value)
    )


def find_authors(text: str) -> list[str]:
    """Writers credited in ``text``: 记者/作者/文/通讯员 … labels; photographers (… 摄) excluded.

    Only credit grammar counts: the label starts a line, follows punctuation, a space or an
    outlet's name (:data:`_OUTLET_END`); without a colon the names must end the way a
    byline ends (line end, bracket, 报道/发自/摄, the next label), so a sentence such as
    ``记者致电上海、武汉等地商场人士`` gives no name. When unsure, no name.
    """
    names: list[str] = []
    for match in _AUTHORS.finditer(text):
        if not _starts_credit(text, match.start()):
            continue
        segment, colon = match.group("names"), match.group("colon") is not None
        if not segment.strip() and match.group("next"):
            # the label closes its line: the next line credits only if it is nothing but surnamed names
            found = _names_unless_photo(match.group("next"))
            if found and _only_names(match.group("next"), found) and all(map(has_surname, found)):
                _extend(names, found)
            continue
        if colon and _HANDLE.match(segment.split()[0] if segment.split() else ""):
            _extend(names, [segment.split()[0]])
            continue
        found, clean = _read_names(segment)
        if found and not clean:  # 马俊峰/文: the writer's role after a slash ends a byline
            clean = _ROLE_AFTER_SLASH.match(segment, segment.find(found[-1]) + len(found[-1])) is not None
        if not colon and not match.group("gap") and not (clean and found and has_surname(found[0])):
            continue  # 记者证实，… / 记者致电上海、… : a sentence, not a byline
        if found and _is_photo_credit(segment, found[-1]):
            continue
        _extend(names, found)
    return names


def lone_name(line: str) -> str | None:
    """``line`` when it is nothing but one surnamed 2–3 character Han name (a byline of its own
    under an essay's headline), else ``None``."""
    name = line.strip()
    if 2 <= len(name) <= 3 and is_name(name) and has_surname(name) and not _is_place(name) and not looks_like_outlet(name):
        return name
    return None


def has_surname(name: str) -> bool:
    """Whether a Han name starts with a Chinese surname (``惠禾``, ``歐陽靖``); a ``·``-joined
    transliteration passes as it is."""
    if not name or "·" in name or "•" in name:
        return bool(name)
    head = to_simplified(name[:2])
    return head[0] in _SURNAMES or head in _COMPOUND_SURNAMES


def _starts_credit(text: str, start: int) -> bool:
    """Whether a label at ``start`` stands where credits stand (see :func:`find_authors`): after
    no Han text, after an outlet (…报, …网, 交汇点), not after a verb or particle of a sentence
    (告诉记者, 卡住了记者, 代表作者本人, 该作者)."""
    run_start = start
    while run_start > 0 and start - run_start < 8 and _is_han(text[run_start - 1]):
        run_start -= 1
    run = text[run_start:start]
    if not run or run[-1] in _OUTLET_END:
        return True
    return len(run) <= 4 and run[-1] not in _SENTENCE_BEFORE_LABEL


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"


def _only_names(line: str, names: list[str]) -> bool:
    """Whether ``line`` holds the names and nothing but separators and role words."""
    rest = line
    for name in names:
        rest = rest.replace(name, " ", 1)
    return all(token in _ROLE_WORDS for token in _PUNCT_SPLIT.split(rest.strip()) if token)


def find_poster(text: str) -> list[str]:
    """The poster of a forum or blog post, by the grammar such pages print: ``本贴由 大卫 于
    2005年8月12日…发表``, ``由海姑娘张贴 @ 2005-06-10``, ``2005/03/15 22:36:13 by duscha``.
    A handle is any short run without spaces; outlets are not posters."""
    for pattern in (_POSTED_BY, _POSTED_AT_BY):
        for match in pattern.finditer(text):
            name = match.group("name").strip()
            if name and not looks_like_outlet(name) and name not in _NOT_NAMES:
                return [name]
    return []


def find_wire_authors(text: str) -> list[str]:
    """Names in a wire dateline credit ``…电（记者 X、Y）`` or a closing signature ``（X Y）``."""
    names: list[str] = []
    for pattern in (_WIRE_CREDIT, _SIGNATURE):
        for match in pattern.finditer(text):
            inner = match.group("names")
            labelled = find_authors(inner)
            _extend(names, labelled or _names_unless_photo(inner))
    return names


def find_editors(text: str) -> list[str]:
    """Names after 责编/责任编辑/编辑 labels; 审核/监制/校对/值班 are other roles and end the list."""
    names: list[str] = []
    for match in _EDITORS.finditer(text):
        if not _starts_credit(text, match.start()):
            continue
        found, clean = _read_names(match.group("names"))
        if match.group("colon") is None and not (clean and all(map(has_surname, found))):
            continue  # 编辑 回复 近年来…: a menu word and a sentence, not an editor line
        _extend(names, found)
    return names


def find_original_title(text: str) -> str | None:
    """The text after 原标题/原標題/原题为, without brackets."""
    match = _ORIGINAL_TITLE.search(text)
    if not match:
        return None
    value = match.group("value").strip()
    value = _AFTER_ORIGINAL_TITLE.split(value, maxsplit=1)[0].strip()
    if value.startswith("《") and "》" in value:
        value = value[1 : value.index("》")]
    value = value.rstrip(")）】]").strip()
    return value or None


def is_credit_line(line: str) -> bool:
    """Whether a body line is only a source/editor/proofreader credit, e.g. ``(责编：萧潇、张妍)``.

    Every body line is asked; one search for a credit word rules out most of them, where the
    line pattern tries all its words after every possible lead-in.
    """
    return len(line) <= 60 and _CREDIT_WORD.search(line) is not None and _CREDIT_LINE.match(line) is not None


def is_print_edition_line(line: str) -> bool:
    """Whether a line is a newspaper reprint marker like ``《光明日报》（2024年05月20日 03版）``."""
    return _PRINT_EDITION.match(line.strip()) is not None


def split_names(segment: str) -> list[str]:
    """Names at the start of ``segment``: split on 、，,/ and spaces, roles and brackets dropped.

    Reading stops at the first token that is not a name or at the next label, so the
    text after a byline never leaks in. Space-padded two-character names (``方  敏``,
    padded to align with three-character names) are joined back.
    """
    return _read_names(segment)[0]


def _read_names(segment: str) -> tuple[list[str], bool]:
    """:func:`split_names`, and whether the names ended the way a byline ends (the text's or
    a bracket's end, the next label, a glued 报道/发自/摄) rather than at a word that is no name."""
    label = _NEXT_LABEL.search(segment)
    head = segment[: label.start()] if label else segment
    head = _NAME_END.split(head, maxsplit=1)[0]
    tokens = [t for t in _PUNCT_SPLIT.split(head.strip()) if t]
    if not label and len(head) < len(segment) and segment[len(head)] in ":：" and tokens:
        tokens.pop()  # the word before a colon is the next field's label (流泉 访问统计：…)
    names: list[str] = []
    singles: list[str] = []
    for token in tokens:
        if len(token) == 1 and _is_han(token):
            singles.append(token)
            if len(singles) == 2:
                names.append("".join(singles))
                singles = []
            continue
        singles = []
        if token in _ROLE_WORDS:
            continue
        if _LABEL_TOKEN.match(token):
            return names, True
        token = _AUTHOR_PREFIX.sub("", token)  # 记者惠禾 inside a list of names
        name = _NAME_SUFFIX.sub("", token) if len(token) > 2 else token
        if names and name != token and _is_place(name):
            return names, True  # 彭冲 山东冠县报道: where it was filed
        if not is_name(name) or _is_place(name):
            return names, False
        names.append(name)
        if name != token:  # a glued suffix (发自北京, 摄) ends the byline
            return names, True
    return names, True


def _is_place(token: str) -> bool:
    """A province-level name, or a word ending like a place (…省, …市, …县)."""
    return token in _PROVINCES or token[:2] in _PROVINCES and len(token) > 2 or _PLACE_END.search(token) is not None


def is_name(token: str) -> bool:
    """A plausible personal name: 2–4 Han characters or a ``·``-joined transliteration."""
    if token in _NOT_NAMES:
        return False
    return bool(_HAN_NAME.match(token) or _FOREIGN_NAME.match(token))


def _names_unless_photo(segment: str) -> list[str]:
    """Names of a byline segment, or none when the credit is for a photo (``记者 张三 摄``)."""
    names = split_names(segment)
    if names and _is_photo_credit(segment, names[-1]):
        return []
    return names


def _is_photo_credit(segment: str, name: str) -> bool:
    """Whether ``name`` starts in the first :data:`_PHOTO_NAME_START` characters of the segment's
    first line and 摄/供图 follows it.

    A literal search with one fixed pattern: a pattern per name meant a regex compile
    per byline, a tenth of the extraction time.
    """
    newline = segment.find("\n")
    last_start = _PHOTO_NAME_START if newline < 0 else min(newline, _PHOTO_NAME_START)
    start = segment.find(name, 0, last_start + len(name))
    while start >= 0:
        if _PHOTO_MARK.match(segment, start + len(name)):
            return True
        start = segment.find(name, start + 1, last_start + len(name))
    return False


def _extend(names: list[str], more: list[str]) -> None:
    for name in more:
        if name not in names:
            names.append(name)
