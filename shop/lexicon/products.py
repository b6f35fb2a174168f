"""Words about the shoes: for whom, which one, its parts and functions, reviews.

Read from buyers' typed text into codes (actions/products.py, shop/answers/products.py,
shop/review_stats.py); the names shown for codes are in ``labels``.
"""

from __future__ import annotations

# --- what the shop sells -----------------------------------------------------
# Who a shoe is for, as buyers ask (有没有男鞋, 小孩穿的有吗), by catalogue gender.
GENDER_WORDS: dict[str, tuple[str, ...]] = {
    "kids": ("童鞋", "儿童", "孩子", "小孩", "宝宝", "童款", "小朋友", "男童", "女童", "学生"),
    "men": ("男鞋", "男款", "男士", "男式", "男生", "男的", "男人", "老公", "爸爸"),
    "women": ("女鞋", "女款", "女士", "女式", "女生", "女的", "女人", "老婆", "妈妈"),
}  # fmt: skip

# A version of a shoe asked for (有没有男款的马丁靴, 乐福鞋有女款吗): said when the shoe
# is made for others only, before its stock (actions/stock.py).
VARIANT_WORDS: dict[str, tuple[str, ...]] = {
    "men": ("男款", "男鞋", "男式", "男士"),
    "women": ("女款", "女鞋", "女式", "女士"),
    "kids": ("童款", "儿童款"),
}  # fmt: skip

# --- picking an offered shoe by typing ------------------------------------
# Characters that say nothing about which shoe (那款 / 要这个吧): the rest of a
# typed answer (男款 -> 男) must occur in exactly one offered name.
PICK_FILLER_CHARS: frozenset[str] = frozenset("那这个款双只的吧呢啊呀吗要我是选买鞋子哪就还嗯哦")

# --- foot shapes ------------------------------------------------------------
# Foot shape codes (the canonical values of data/nlu/synonyms.yml) and words
# that mean them, in the order they are checked.
# "不宽不窄" is normal, so the plainly normal words are checked first; vaguer
# ones (一般, 不知道) only when no shape word is there.
FOOT_SHAPE_WORDS: dict[str, tuple[str, ...]] = {
    "normal": ("不宽不窄", "不胖不瘦", "正常", "普通", "标准"),
    "wide": ("宽", "肥", "胖", "脚掌大", "肉脚", "肉肉"),
    "high_instep": ("脚背高", "高脚背", "脚面高", "脚背厚", "脚背"),
    "flat": ("扁平", "平足"),
    "narrow": ("窄", "瘦", "细"),
}
NORMAL_FOOT_FALLBACK_WORDS: tuple[str, ...] = (
    "一般", "不知道", "没注意", "还好", "都不是", "没啥", "还行", "随便",
)  # fmt: skip

# --- which shoe: parts and functions ----------------------------------------
# Keys are the canonical entity values of data/nlu/synonyms.yml.
PART_WORDS: dict[str, tuple[str, ...]] = {
    "upper": ("鞋面", "面料", "帮面", "外面"),
    "lining": ("内里", "里料", "里子", "鞋垫", "里面"),
    "sole": ("鞋底", "大底", "底子", "底是", "底用"),
}
FUNCTION_WORDS: dict[str, tuple[str, ...]] = {
    "waterproof": ("防水", "防雨", "下雨", "雨天", "渗水", "进水", "泼水"),
    "breathable": ("透气", "闷脚", "捂脚", "闷不闷", "出汗"),
    "anti_slip": ("防滑", "打滑", "滑不滑", "滑"),
    "running": ("跑步", "跑鞋", "马拉松", "晨跑", "慢跑"),
    "warm": ("保暖", "暖和", "冷不冷", "会冷", "冷吗", "冬天", "加绒", "冻脚", "冻不冻"),
    "lightweight": ("轻便", "重不重", "轻不轻", "分量"),
    "hiking": ("爬山", "徒步", "登山", "户外"),
    "wear_resistant": ("耐磨", "耐穿", "穿多久"),
}

# Whom a clause of a fit note speaks to (脚瘦的拍小一码, 冬天穿厚袜建议拍大一码): foot
# shape codes, or a way of wearing the buyer's own words name (shop/fit_notes.py).
FIT_NOTE_CONDITIONS: dict[str, tuple[str, ...]] = {
    "narrow": ("脚瘦", "脚窄", "瘦脚", "窄脚", "脚偏瘦", "脚偏窄"),
    "wide": ("脚宽", "脚肥", "宽脚", "脚偏宽", "脚偏肥", "肥脚"),
    "high_instep": ("脚背高", "高脚背", "脚面高"),
    "thick_socks": ("厚袜", "加绒袜", "羊毛袜", "毛袜"),
}
# A clause that says no step is needed (脚宽、脚背高也不用拍大).
NOT_NEEDED_WORDS: tuple[str, ...] = ("不用", "不必", "无需", "不需要", "按平时")

# Function words that name a kind of shoe (跑鞋): in 跑鞋冬天冷不冷 the question is
# the warmth, not running.
FUNCTION_KIND_WORDS: tuple[str, ...] = ("跑鞋", "登山鞋", "徒步鞋")

# Details a buyer asks that no function claim covers (跟高多少, 怎么充电): the
# question's words, then the words of a catalogue clause that speaks to it. The
# answer quotes those clauses, or says the catalogue is silent.
DETAIL_QUESTION_WORDS: dict[str, tuple[str, ...]] = {
    "heel": ("跟高", "跟多高", "跟有多高", "鞋跟", "几厘米的跟", "几公分的跟", "多高的跟"),
    "charging": ("充电", "电池", "续航", "发光", "亮灯", "鞋灯", "灯"),
    "fastening": ("鞋带", "系带", "绑带", "魔术贴", "一脚蹬", "套脚", "拉链"),
    "sole_height": (
        "鞋底多厚",
        "底多厚",
        "底有多厚",
        "厚底",
        "增高",
        "底多高",
        "鞋底高",
        "底有多高",
    ),
    "shaft": ("筒高", "靴筒", "鞋筒", "筒多高", "高帮", "低帮"),
    "insole": ("鞋垫",),
    "care": ("能洗", "水洗", "机洗", "怎么洗", "清洗", "保养"),
    "origin": ("产地", "哪里产", "哪里生产", "哪产的", "哪里做的"),
    "toe": ("鞋头", "尖头", "圆头", "方头"),
    # a figure asked (多少克), not whether it is light: the catalogue's own weight
    "weight": ("多少克", "几克", "重量", "多重", "几斤"),
    # a child's age the shoe fits (适合几岁的孩子): the catalogue's own words on ages
    "age": (
        "几岁",
        "多大的孩子",
        "多大孩子",
        "多大的宝宝",
        "多大宝宝",
        "年龄",
        "岁的孩子",
        "岁宝宝",
    ),
    # for whom: the catalogue's gender (男款, 男女同款), not a clause
    "gender": (
        "男生能穿",
        "女生能穿",
        "男的能穿",
        "女的能穿",
        "男士能穿",
        "女士能穿",
        "男女同款",
        "男款还是女款",
        "女款还是男款",
        "男女都能穿",
        "大人能穿",
    ),
}
DETAIL_CATALOGUE_WORDS: dict[str, tuple[str, ...]] = {
    "heel": ("跟",),
    "charging": ("充电", "电池", "续航", "灯", "USB", "usb"),
    "fastening": ("鞋带", "系带", "绑带", "魔术贴", "一脚蹬", "套脚", "拉链"),
    "sole_height": ("厚", "增高", "底高"),
    "shaft": ("筒", "帮"),
    "insole": ("鞋垫",),
    "care": ("洗", "保养", "清洁"),
    "origin": ("产地", "产自", "生产", "制造"),
    "toe": ("鞋头", "尖头", "圆头", "方头", "楦头"),
    "weight": ("克", "斤", "重量"),
    "age": ("岁", "幼儿园", "小学", "中学", "宝宝", "婴儿", "学步"),
    "gender": (),  # answered from the catalogue's gender field
    # asked through the review topic 舒适 (这双舒服吗), answered before the reviews
    "comfort": ("舒适", "舒服", "软", "缓震", "回弹", "包裹", "不累", "脚感"),
}

# --- ratings ----------------------------------------------------------------
# Typed ratings (checked in order: 非常不满意 before 满意).
RATING_WORDS: dict[str, tuple[str, ...]] = {
    "1": ("非常不满意", "很不满意", "特别不满意", "太差", "很差", "垃圾", "一星", "1星"),
    "2": ("不满意", "不太满意", "差评", "不好", "两星", "2星", "二星"),
    "3": ("一般", "还行", "凑合", "马马虎虎", "三星", "3星", "中评"),
    "5": ("非常满意", "很满意", "超满意", "特别满意", "非常好", "太棒", "五星", "5星", "满分"),
    "4": ("满意", "好评", "不错", "挺好", "还可以", "四星", "4星", "可以"),
}

# A question that weighs the shoe under discussion against another (和洞洞鞋比哪个轻):
# the other shoe is named to compare, not to move to it.
COMPARISON_WORDS: tuple[str, ...] = (
    "比哪个", "比较", "相比", "对比", "哪个更", "哪双更", "哪个好", "哪双好", "哪个轻", "哪个舒服",
    "有什么区别", "有啥区别", "区别大吗",
)  # fmt: skip

# Words that point back at the shoe under discussion (这双防滑吗).
PRODUCT_REFERENCES: tuple[str, ...] = (
    "这双", "那双", "这款", "那款", "这个鞋", "那个鞋", "这鞋", "那鞋", "它", "这一双", "同款",
)  # fmt: skip

# --- product reviews (shop/review_stats.py, actions/reviews.py) ----------
# What reviews talk about: the owner counts them in 中差评, a buyer asks about them
# (穿过的说磨脚吗). A word right after 不/没/无 does not count (不磨脚).
REVIEW_TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "磨脚": ("磨脚", "磨后跟", "磨脚跟", "磨破", "夹脚", "打脚", "磨得"),
    "开胶": ("开胶", "脱胶", "开线", "开裂", "断底"),
    "偏小": ("偏小", "小了", "挤脚", "顶脚", "太紧", "有点紧"),
    "偏大": ("偏大", "大了", "有点大", "太大", "掉跟", "松垮"),
    "味道": ("味道", "异味", "胶味", "臭", "刺鼻"),
    "掉色": ("掉色", "褪色", "染袜", "染黑", "串色"),
    "质量": (
        "质量差",
        "质量不好",
        "质量太差",
        "质量一般",
        "质量有问题",
        "做工差",
        "做工粗糙",
        "做工一般",
        "线头",
        "起球",
        "坏了",
        "裂了",
        "断了",
    ),
    "舒适": ("舒服", "舒适", "不累", "软"),
}
# Topics that are a problem (the owner's 中差评 topics; a chat review naming one is a
# complaint for the shop). 偏小/偏大 are fit, not complaints; 舒适 is praise.
PROBLEM_TOPICS: tuple[str, ...] = ("磨脚", "开胶", "味道", "掉色", "质量")
FIT_TOPICS: dict[str, str] = {"偏小": "small", "偏大": "large"}
NEGATIONS: tuple[str, ...] = ("不", "没", "无", "未")
# A review question about the size in general (大家说偏码吗, 码数准吗).
FIT_QUESTION_WORDS: tuple[str, ...] = ("偏码", "码数", "尺码", "码准", "正码", "大小", "标准码")
# A question about how a shoe fits (这款偏大还是偏小): the catalogue's fit note answers it.
FIT_ASK_WORDS: tuple[str, ...] = (
    "偏大", "偏小", "偏码", "码准", "码数准", "尺码准", "正码", "标准码", "大还是小",
    "小还是大", "大不大", "小不小",
)  # fmt: skip
