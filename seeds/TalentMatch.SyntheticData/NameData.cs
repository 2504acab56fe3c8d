using TalentMatch.ReferenceData;

namespace TalentMatch.SyntheticData;

/// <summary>Name frequency lists for the profile generator (pinyin, family name first).</summary>
internal static class NameData
{
    /// <summary>Common Chinese family names in pinyin with approximate relative frequency (per cent of population;
    /// homophones such as 于/余 are merged).</summary>
    public static readonly (string Name, double Weight)[] ChineseFamilyNames =
    [
        ("Wang", 7.1), ("Li", 7.0), ("Zhang", 6.7), ("Liu", 5.4), ("Chen", 4.5), ("Yang", 3.1), ("Huang", 2.2),
        ("Zhao", 2.1), ("Wu", 2.0), ("Zhou", 1.9), ("Xu", 1.6), ("Sun", 1.2), ("Ma", 1.2), ("Zhu", 1.1), ("Hu", 1.0),
        ("Guo", 1.0), ("He", 0.9), ("Gao", 0.9), ("Lin", 0.9), ("Luo", 0.8), ("Zheng", 0.8), ("Liang", 0.7),
        ("Xie", 0.6), ("Song", 0.5), ("Tang", 0.5), ("Han", 0.5), ("Feng", 0.5), ("Deng", 0.5), ("Cao", 0.5),
        ("Peng", 0.5), ("Zeng", 0.5), ("Xiao", 0.5), ("Tian", 0.4), ("Dong", 0.4), ("Yuan", 0.4), ("Pan", 0.4),
        ("Yu", 0.7), ("Jiang", 0.8), ("Cai", 0.4), ("Du", 0.4), ("Ye", 0.4), ("Cheng", 0.4), ("Su", 0.4),
        ("Wei", 0.6), ("Ding", 0.3), ("Ren", 0.3), ("Shen", 0.3), ("Yao", 0.3), ("Lu", 0.6), ("Cui", 0.3),
        ("Zhong", 0.3), ("Tan", 0.3), ("Fan", 0.3), ("Jin", 0.3), ("Shi", 0.5), ("Liao", 0.2), ("Jia", 0.2),
        ("Xia", 0.2), ("Fu", 0.2), ("Fang", 0.2), ("Bai", 0.2), ("Zou", 0.2), ("Meng", 0.2), ("Xiong", 0.2),
        ("Qin", 0.2), ("Qiu", 0.2), ("Yin", 0.2), ("Xue", 0.2), ("Yan", 0.3), ("Duan", 0.2), ("Lei", 0.2),
        ("Hou", 0.2), ("Long", 0.2), ("Tao", 0.2), ("Gu", 0.2), ("Mao", 0.2), ("Hao", 0.1), ("Gong", 0.1),
        ("Shao", 0.1), ("Wan", 0.1), ("Qian", 0.1), ("Wen", 0.1), ("Kong", 0.1), ("Xiang", 0.1), ("Yi", 0.1),
    ];

    /// <summary>Given-name syllables. None starts with a, o or e, so two-syllable names need no apostrophe.</summary>
    public static readonly string[] GivenSyllables =
    [
        "wei", "fang", "na", "min", "jing", "li", "qiang", "lei", "jun", "yang", "yong", "yan", "jie", "tao", "ming",
        "chao", "xiu", "xia", "ping", "gang", "hui", "hong", "hua", "jian", "ling", "yu", "xin", "hao", "yi", "ting",
        "lan", "bo", "kai", "rui", "ying", "qing", "chen", "zhi", "wen", "jia", "xuan", "han", "zi", "yue", "ning",
        "feng", "bin", "dan", "lin", "shan", "tian", "xue", "zhen", "yun", "lu", "meng", "si", "yao", "hang", "peng",
        "xiao", "zhe", "zhong", "kun", "long", "qi", "rong", "song", "tong", "xiang", "yuan", "ze", "shu", "cheng",
        "guang", "hai", "jin", "le", "mei", "nan", "pei", "qian", "shuang", "xi",
    ];

    /// <summary>Bogus locales used for international names, with weight and the languages such a person speaks.</summary>
    public static readonly (string Locale, double Weight, string[] Languages)[] InternationalLocales =
    [
        ("en", 40, ["en"]), ("en_GB", 12, ["en"]), ("en_IND", 12, ["en", "hi"]), ("de", 10, ["de", "en"]),
        ("fr", 8, ["fr", "en"]), ("it", 6, ["it", "en"]), ("es", 6, ["es", "en"]), ("nl", 3, ["nl", "en"]),
        ("pt_BR", 3, ["pt", "en"]),
    ];
}
