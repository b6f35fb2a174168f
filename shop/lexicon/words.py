"""The Chinese words the actions read buyers' typed answers with, in one place.

Every form reads reasons, foot shapes, yes/no, which order and which shoe with
these lists, so it understands them the same way. Keys are the codes stored in
slots and sent in button payloads; their display names are in
``shop/lexicon/labels.py``.
"""

from __future__ import annotations

# --- return reasons ---------------------------------------------------------
# Checked in order, first match wins: a defect outranks a size word in the
# same sentence (小白鞋开胶了 is a quality problem, not a size one).
REASON_WORDS: dict[str, tuple[str, ...]] = {
    "quality": (
        "质量", "开胶", "脱胶", "断", "裂", "掉色", "起球", "瑕疵", "破", "线头", "鞋跟", "松动",
        "掉跟", "脱线", "做工", "次品", "穿坏", "鞋坏了", "磨损", "异味", "开线", "脱底", "掉皮",
        # a pair that does not match itself is a defect, not a size or a description
        "左右脚不一样", "左右不一样", "一只大一只小", "一大一小", "两只不一样", "大小脚",
        "两只鞋不一样", "两只大小不一样", "左右码数不一样", "一双不一样",
    ),
    "not_as_described": (
        "描述", "图片", "色差", "不一样", "货不对板", "假", "不符", "和图", "跟图", "实物",
    ),
    "shipping_damage": ("压坏", "快递", "物流", "盒子", "运输", "压扁", "鞋盒"),
    "size": (
        "小了", "大了", "偏小", "偏大", "太小", "太大", "尺码", "码数", "不合脚", "挤脚", "夹脚",
        "太松", "码小", "码大", "紧", "顶脚", "松了", "磨脚", "勒脚", "压脚", "卡脚",
        "打脚", "不跟脚",
    ),
    "no_reason": (
        "不喜欢", "拍错", "买错", "不想要", "不要了", "不合适", "无理由", "没理由", "不需要",
        "多买", "买多", "重复", "买重",
    ),
}  # fmt: skip

# --- exchanges --------------------------------------------------------------
RELATIVE_SIZES: dict[str, float] = {
    "大一码": 1.0,
    "大半码": 0.5,
    "小一码": -1.0,
    "小半码": -0.5,
    "大1码": 1.0,
    "小1码": -1.0,
}

# --- confirmations ----------------------------------------------------------
# A no: these words anywhere, or 不 / 别 opening the answer (不, 不了吧, 我不要了).
# 不 inside a description is no refusal: 鞋灯不亮了 typed at a summary is re-asked.
NO_WORDS: tuple[str, ...] = (
    "不了", "不用", "不要", "不行", "不对", "不是", "不需要", "不提交", "不退", "不换", "不改",
    "别", "算了", "取消", "再想想", "等等", "等一下", "先不", "no",
)  # fmt: skip
NO_OPENINGS: tuple[str, ...] = ("不", "别")
ANSWER_FILLERS: tuple[str, ...] = ("我", "那", "嗯", "呃", "额", "哦", "噢", "还是")  # before 不
YES_WORDS: tuple[str, ...] = (
    "确认", "确定", "是的", "是", "对", "好", "可以", "没问题", "行", "嗯", "恩", "ok", "OK", "Ok",
    "提交", "要的", "改吧", "就这样", "没错", "👌", "👍",
)  # fmt: skip
# Words that hold a yes word without saying yes (还是换33吧, 好像小了): removed
# before YES_WORDS are looked for.
NOT_YES_WORDS: tuple[str, ...] = (
    "还是", "要是", "但是", "可是", "是否", "老是", "总是", "好像", "好久", "好多", "只好",
)  # fmt: skip
# "I don't know it" is an answer to a question (then a hint says where to find
# it), not a wish to stop: 不记得了 while asked for the order number.
DONT_KNOW_WORDS: tuple[str, ...] = (
    "不记得", "不知道", "忘了", "忘记了", "找不到", "不清楚", "没有订单号", "在哪看", "在哪里看",
)  # fmt: skip
# Short messages that leave the form ("算了", "不用了") rather than answer "no".
STOP_WORDS: tuple[str, ...] = ("算了", "不用了", "不要了", "不弄了", "不办了", "先这样", "不查了")

# --- refund progress ----------------------------------------------------------
# Words that make a "where is it" question about the money or a return, not the
# parcel (那个单子什么时候到账, 换货到哪了): the order form then answers the
# progress of the buyer's returns and exchanges.
REFUND_PROGRESS_WORDS: tuple[str, ...] = (
    "到账", "退款", "退钱", "钱退", "退的钱", "换货", "换的鞋", "退货的", "寄回去的", "退回去的",
)  # fmt: skip

# --- what the shop sells -----------------------------------------------------
# Who a shoe is for, as buyers ask (有没有男鞋, 小孩穿的有吗), by catalogue gender.
GENDER_WORDS: dict[str, tuple[str, ...]] = {
    "kids": ("童鞋", "儿童", "孩子", "小孩", "宝宝", "童款", "小朋友", "男童", "女童", "学生"),
    "men": ("男鞋", "男款", "男士", "男式", "男生", "男的", "男人", "老公", "爸爸"),
    "women": ("女鞋", "女款", "女士", "女式", "女生", "女的", "女人", "老婆", "妈妈"),
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

# --- addresses ----------------------------------------------------------------
# Province-level names: an address naming one (上海浦东世纪大道100号) says its region
# even without 省/市/区.
PROVINCE_NAMES: tuple[str, ...] = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州",
    "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港",
    "澳门",
)  # fmt: skip

# --- which order ------------------------------------------------------------
# Words that point at one of the orders offered on buttons (shop/order_choice.py).
# Lists are searched longest word first, so 大前天 wins over 前天.
CHINESE_NUMERALS: dict[str, int] = {
    "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
    "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
}  # fmt: skip
# 第一个 / 第2笔 / 第三单 / 第一双 ...
ORDINAL_COUNTERS = "个笔单双件条"
FIRST_ORDER_WORDS: tuple[str, ...] = (
    "头一个", "头一笔", "头一单", "头一双", "头个", "上面那个", "上面那单", "上面那笔", "上面那双",
    "最上面",
)  # fmt: skip
LAST_ORDER_WORDS: tuple[str, ...] = ("最后一", "最后那", "最后的", "最下面")
# By purchase time rather than by position on the buttons.
NEWEST_ORDER_WORDS: tuple[str, ...] = (
    "最近那", "最近的", "最近一单", "最近一笔", "最近买的", "最新", "刚买的", "刚下的", "刚下单",
    "新买的",
)  # fmt: skip
OLDEST_ORDER_WORDS: tuple[str, ...] = ("最早", "之前那", "之前买的", "以前那", "以前买的")
ALL_ORDERS_WORDS: tuple[str, ...] = (
    "都查", "都看", "全部", "所有", "两个都", "两单都", "两笔都", "两双都",
    "都要", "全都", "每一单",
)  # fmt: skip
# An order's state as buyers name it (没付款那个, 已发货的那单), by shop status.
# 没收到 is not here: it reports a parcel that should have come.
ORDER_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "pending_payment": (
        "没付款", "未付款", "待付款", "没付钱", "没给钱", "还没付", "没支付", "未支付", "待支付",
        "没有付款", "没有支付", "没付的",
    ),
    "paid": ("没发货", "未发货", "待发货", "还没发", "没发出", "没有发货", "没寄出", "还没寄"),
    "shipped": (
        "已发货", "发货了的", "发出的", "在路上", "运输中", "配送中", "派送中", "在途", "没签收",
        "未签收",
    ),
    "delivered": ("已签收", "签收了的", "签收的", "已收货", "收到了的", "已经到了的", "已完成"),
    "cancelled": ("取消的", "已取消", "取消了的", "关闭的", "已关闭", "作废的"),
}  # fmt: skip
# Words that set aside the order just talked about (另外那个, 别的订单), counted
# only right before an order word (另外帮我改下地址 names no order).
OTHER_ORDER_WORDS: tuple[str, ...] = ("另外", "另", "其他", "其它", "别的", "剩下")
# Date words, as days / calendar weeks / calendar months before today.
DAYS_AGO_WORDS: dict[str, int] = {
    "今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2, "大前天": 3,
}  # fmt: skip
WEEKS_AGO_WORDS: dict[str, int] = {
    "这周": 0, "本周": 0, "这星期": 0, "这个星期": 0, "这礼拜": 0, "这个礼拜": 0,
    "上周": 1, "上星期": 1, "上个星期": 1, "上礼拜": 1, "上个礼拜": 1, "上上周": 2,
}  # fmt: skip
MONTHS_AGO_WORDS: dict[str, int] = {"这个月": 0, "本月": 0, "上个月": 1, "上月": 1}
# Shoe kinds: a 2-4 character word ending in 鞋/靴 names a kind when it is listed
# here or occurs in an offered item's name, alias or category. A listed kind
# that fits no offered order is a real clue that matches nothing (凉鞋那单).
SHOE_KIND_ENDINGS = "鞋靴"
SHOE_KIND_WORDS: tuple[str, ...] = (
    "跑鞋", "跑步鞋", "运动鞋", "球鞋", "篮球鞋", "板鞋", "小白鞋", "帆布鞋", "皮鞋",
    "凉鞋", "拖鞋", "童鞋", "雨鞋", "布鞋", "棉鞋", "单鞋", "高跟鞋", "平底鞋", "乐福鞋",
    "豆豆鞋", "徒步鞋", "登山鞋", "休闲鞋", "老爹鞋", "雪地靴", "短靴", "长靴", "雨靴",
    "马丁靴", "切尔西靴",
)  # fmt: skip


def first_key(text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    """The first key of ``table`` one of whose words occurs in ``text``."""
    for key, words in table.items():
        if any(word in text for word in words):
            return key
    return None


# --- stock and price protection ---------------------------------------------
# A stock question that asks when a sold-out shoe comes back (灰色什么时候补货).
RESTOCK_WORDS: tuple[str, ...] = (
    "补货", "补码", "补吗", "补不补", "会补", "到货", "返场", "再上", "还会有", "什么时候有",
    "啥时候有", "多久有", "几时有", "哪天有", "等多久", "时候补",
)  # fmt: skip
# A return-rules question about where returned goods go (shop/answers/policies.py).
RETURN_ADDRESS_WORDS: tuple[str, ...] = (
    "退货地址", "寄回的地址", "寄回地址", "退回地址", "寄到哪", "寄回哪", "寄哪里", "寄哪儿",
    "退货收件人", "写什么地址", "哪个地址",
)  # fmt: skip
# A question about a shoe's price (shop/answers/policies.py): answered from the catalogue.
PRICE_WORDS: tuple[str, ...] = (
    "多少钱", "多少米", "什么价", "啥价", "价格", "价钱", "售价", "卖多少", "几块钱", "多钱",
    "多少块",
)  # fmt: skip
# Words that make 什么时候到货 about the buyer's own parcel, not a restock.
OWN_PARCEL_WORDS: tuple[str, ...] = (
    "我的", "我买的", "订单", "单号", "快递", "物流", "包裹", "发货", "那单", "这单", "下单", "寄",
)  # fmt: skip
# A shop rule that counts its price-protection days from delivery (签收后7天内).
PRICE_PROTECTION_DELIVERY_WORDS: tuple[str, ...] = ("签收", "确认收货", "收货", "收到货")
# A promotion question about 价保: a price drop after payment refunded (actions/policies.py).
PRICE_PROTECTION_WORDS: tuple[str, ...] = (
    "价保", "保价", "价格保护", "差价", "降价", "降了", "买贵", "买亏", "便宜了",
)  # fmt: skip
# A price-protection question about the buyer's own purchase (我买的鞋降价了),
# answered with their orders still inside the window when no order is named.
OWN_PURCHASE_WORDS: tuple[str, ...] = (
    "我买", "我刚买", "买了", "买的", "我拍", "拍了", "拍的", "下单", "下的单", "我的订单",
    "我的鞋", "我那", "我这",
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

# --- questions --------------------------------------------------------------
# A question is not an answer to "确认吗": 可以退吗 is asked, not agreed.
QUESTION_MARKS: tuple[str, ...] = (
    "吗", "?", "？", "什么", "怎么", "多少", "几", "呢", "哪", "谁", "为啥", "为什么",
    "有没有", "是不是", "能不能", "可不可以", "会不会",  # A-not-A questions
)  # fmt: skip

# --- delivery problems and complaints (actions/cases.py) ---------------------
# A parcel slower than the buyer hoped (怎么这么慢, 还没到): after their parcel was
# shown, a grievance about it (rasa_ext/follow_up_intent.py).
SLOW_DELIVERY_WORDS: tuple[str, ...] = (
    "慢", "不动", "没更新", "不更新", "没有更新", "好几天", "还没到", "还不到", "这么久", "磨蹭",
)  # fmt: skip
# (kind code, groups of words: one word of every group must occur), checked in
# order; the first match wins.
DELIVERY_KIND_WORDS: list[tuple[str, tuple[tuple[str, ...], ...]]] = [
    (
        "signed_not_received",
        (("签收", "已签", "显示收"), ("没收到", "没有收到", "未收到", "没拿到", "没见")),
    ),
    ("damaged", (("破", "坏", "压扁", "烂", "湿", "变形", "撕"),)),
    ("wrong_parcel", (("不是我", "错", "别人的", "少了", "少件", "漏发"),)),
    ("lost", (("丢", "找不到", "不见了", "没了"),)),
    ("stuck", ((*SLOW_DELIVERY_WORDS, "停", "卡"),)),
]
# (category code, words), checked in order; the first match wins.
COMPLAINT_CATEGORY_WORDS: list[tuple[str, tuple[str, ...]]] = [
    (
        "quality",
        ("质量", "开胶", "脱胶", "断", "裂", "掉色", "起球", "磨脚", "臭", "破", "线头", "做工"),
    ),
    ("description", ("描述", "图片", "色差", "不一样", "货不对板", "假", "不是真皮")),
    ("logistics", ("快递", "物流", "发货", "慢", "送货", "派送")),
    ("service", ("客服", "态度", "不理", "回复", "服务", "骗")),
    ("price", ("降价", "价格", "贵", "差价")),
]

# --- why sizes come back (owner page, console/return_insights.py) -------------
SIZE_RETURN_SMALL_WORDS: tuple[str, ...] = (
    "小了", "偏小", "挤", "紧", "顶脚", "换大", "大一码", "大半码",
)  # fmt: skip
SIZE_RETURN_LARGE_WORDS: tuple[str, ...] = (
    "大了", "偏大", "松", "掉跟", "换小", "小一码", "小半码",
)  # fmt: skip

# --- a second question in one message (shop/clauses.py) -----------------------
# Words that open another question in the same message: the message is cut
# before them and they are left out of the question (顺便问下能开发票吗 → 能开发票吗).
# Bare 还有 is not one: 还有货吗 asks about stock.
# A part of a message that only opens it (你好，跑鞋有42码吗): left out when the
# message is cut into its questions (shop/clauses.py), so it colours no part.
OPENING_WORDS: tuple[str, ...] = (
    "你好呀", "您好呀", "你好", "您好", "在不在", "在吗", "亲亲", "亲", "哈喽", "嗨", "hello", "hi",
    "老板", "掌柜", "客服",
)  # fmt: skip
SECOND_QUESTION_WORDS: tuple[str, ...] = (
    "顺便问一下", "顺便问下", "顺便问问", "顺便问", "顺便说一下", "顺便", "另外问一下", "另外问下",
    "另外", "还有个问题", "还有一个问题", "还有一件事", "还有就是", "还想问一下", "还想问下",
    "还想问", "再问一下", "再问下", "想再问一下", "对了",
)  # fmt: skip

# A part that starts with these asks for one more thing (我要退货 也帮我改下地址).
SECOND_REQUEST_OPENERS: tuple[str, ...] = (
    "也帮我", "再帮我", "顺带", "顺手", "同时帮我", "另外帮我", "还要帮我", "还得帮我",
)  # fmt: skip

# --- leaving the queue for a person (actions/handoff.py) --------------------
# Said while still waiting (no agent has the conversation yet): the assistant
# answers again. Once an agent has it, the agent decides.
# Not 跟机器人 or 问机器人: 不想跟机器人聊 asks for the opposite.
# Cancelling an order (我要取消订单, 那单不想买了), which NLU reads as a return: the
# orders not shipped yet are the ones meant, and their flow says what to do.
CANCEL_ORDER_WORDS: tuple[str, ...] = (
    "取消订单", "订单取消", "取消这单", "取消那单", "取消这个订单", "取消那个订单", "单取消",
    "不想买了", "不买了",
)  # fmt: skip
# Withdrawing a return or exchange already requested: staff do it (actions/return_checks.py).
CANCEL_REQUEST_WORDS: tuple[str, ...] = (
    "取消退货", "取消退款", "取消换货", "取消申请", "取消退换", "撤销", "撤回", "不退了", "不换了",
)  # fmt: skip
LEAVE_QUEUE_WORDS: tuple[str, ...] = (
    "取消转人工", "不转人工", "不用转人工", "不要转人工", "不用人工", "不要人工", "不找人工",
    "取消人工", "取消排队", "退出排队", "不排了", "不排队了", "不等了", "不想等了",
    "继续问机器人", "还是问机器人", "继续问你",
)  # fmt: skip
# The same said alone, while still queued: the buyer no longer needs a person.
LEAVE_QUEUE_MESSAGES: tuple[str, ...] = (
    "不用了", "不用", "不用啦", "算了", "算了吧", "那算了", "不需要了", "不需要", "不要了",
    "没事了", "没事", "不用了谢谢", "算了谢谢", "不用了我自己看", "不找了",
)  # fmt: skip
