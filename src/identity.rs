//! Coherent synthetic identities (docs/protocol.md §5): a GB 11643 number whose region code matches
//! the address and the issuing authority, whose digits 7–14 are the birth date and whose 17th
//! digit gives the sex; one of the 56 official nation names; a validity period that follows the
//! law by age at issue. Everything is a pure function of a seed, a key and "today", so the same
//! order gets the same person on its front and its back, whatever the request interleaving.
//!
//! Imports: `seed` only.

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::OnceLock;

/// A county-level region of GB/T 2260 (from `data/regions.tsv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub code: &'static str,
    pub province: &'static str,
    pub city: &'static str,
    pub district: &'static str,
}

impl Region {
    /// The four municipalities write no province before the city.
    pub fn is_municipality(&self) -> bool {
        self.province == self.city
    }

    /// `<city>公安局<district>分局`; a municipality's district drops its final 区 (新区 too).
    pub fn authority(&self) -> String {
        let district = if self.is_municipality() {
            let d = self.district;
            d.strip_suffix("新区").or_else(|| d.strip_suffix('区')).unwrap_or(d)
        } else {
            self.district
        };
        format!("{}公安局{}分局", self.city, district)
    }

    /// The address prefix: `<province><city><district>`, province omitted for municipalities.
    pub fn address_prefix(&self) -> String {
        let mut out = String::new();
        self.push_address_prefix(&mut out);
        out
    }

    fn push_address_prefix(&self, out: &mut String) {
        if !self.is_municipality() {
            out.push_str(self.province);
        }
        out.push_str(self.city);
        out.push_str(self.district);
    }
}

/// Every region the mock knows.
pub fn regions() -> &'static [Region] {
    static REGIONS: OnceLock<Vec<Region>> = OnceLock::new();
    REGIONS.get_or_init(|| {
        include_str!("../data/regions.tsv")
            .lines()
            .skip(1)
            .filter_map(|line| {
                let mut cols = line.split('\t');
                Some(Region { code: cols.next()?, province: cols.next()?, city: cols.next()?, district: cols.next()? })
            })
            .collect()
    })
}

/// The 56 official nation names as printed on cards (without 族).
pub fn nations() -> &'static [&'static str] {
    static NATIONS: OnceLock<Vec<&'static str>> = OnceLock::new();
    NATIONS.get_or_init(|| include_str!("../data/nations.txt").lines().filter(|l| !l.is_empty()).collect())
}

/// The region whose code starts an ID number.
pub fn region_of(code: &str) -> Option<&'static Region> {
    regions().iter().find(|r| r.code == code)
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The GB 11643 check digit of the first 17 digits, or `None` when they are not 17 digits.
pub fn check_digit(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    Some(CHECK[(sum % 11) as usize])
}

/// `true` when `id` is 18 characters whose last one is the right check digit.
pub fn is_valid_number(id: &str) -> bool {
    id.len() == 18 && id.is_char_boundary(17) && check_digit(&id[..17]).is_some_and(|c| id[17..].starts_with(c))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
}

/// Which kind of person to make; the edge cases break naive parsers on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// An adult of 22–45 whose card ends on a date in the future.
    #[default]
    Typical,
    /// Issued at 46 or over: `validDate` ends in `长期`.
    LongTerm,
    /// A number whose check digit is `X`.
    XCheckDigit,
    /// A name with a middle dot, as minority names are printed.
    DottedName,
    /// An address of exactly 60 characters.
    LongAddress,
    /// Aged 80–95.
    Elderly,
    /// Under 16 at issue: a 5-year card.
    Minor,
}

/// What a marker or fixture pins; the rest is generated around it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pin {
    pub name: Option<String>,
    /// A valid 18-digit number with a known region: birth, sex and region follow from it.
    pub idcard: Option<String>,
}

/// One synthetic person and their card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub sex: Sex,
    pub nation: &'static str,
    pub birth: NaiveDate,
    pub address: String,
    pub idcard: String,
    pub authority: String,
    pub valid_from: NaiveDate,
    /// `None` is 长期 (no end).
    pub valid_to: Option<NaiveDate>,
    /// 籍贯, for `getNative`.
    pub native_place: String,
}

impl Identity {
    /// `yyyyMMdd`.
    pub fn birth_string(&self) -> String {
        ymd(self.birth).to_string()
    }

    /// `yyyyMMdd-yyyyMMdd` or `yyyyMMdd-长期`.
    pub fn valid_date(&self) -> String {
        let from = ymd(self.valid_from);
        match self.valid_to {
            Some(to) => format!("{from}-{}", ymd(to)),
            None => format!("{from}-长期"),
        }
    }
}

/// `date` as `yyyyMMdd`: for a four-digit year (every date an identity has), the number
/// `yyyy·10⁴ + MM·10² + dd` written zero-padded to eight digits, one integer to format where
/// chrono's item formatter cost ~900 instructions a date (it runs three times a call); any other
/// year through chrono's items.
fn ymd(date: NaiveDate) -> impl std::fmt::Display {
    use chrono::format::{Item, Numeric, Pad};
    const YMD: [Item<'static>; 3] = [
        Item::Numeric(Numeric::Year, Pad::Zero),
        Item::Numeric(Numeric::Month, Pad::Zero),
        Item::Numeric(Numeric::Day, Pad::Zero),
    ];
    struct Ymd(NaiveDate);
    impl std::fmt::Display for Ymd {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            let d = self.0;
            match u32::try_from(d.year()) {
                Ok(y @ 1000..=9999) => write!(f, "{:08}", y * 10_000 + d.month() * 100 + d.day()),
                _ => d.format_with_items(YMD.iter()).fmt(f),
            }
        }
    }
    Ymd(date)
}

/// Years of validity of a card issued at `age` (`None`: 长期).
pub fn validity_years(age: u32) -> Option<u32> {
    match age {
        0..=15 => Some(5),
        16..=25 => Some(10),
        26..=45 => Some(20),
        _ => None,
    }
}

/// Whole years between `birth` and `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age.max(0) as u32
}

fn add_years(date: NaiveDate, years: u32) -> NaiveDate {
    let year = date.year() + years as i32;
    NaiveDate::from_ymd_opt(year, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, date.month(), 28))
        .expect("day 28 exists in every month")
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "欧阳", "司马",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞",
    "平", "刚", "英", "华", "玉", "兰", "文", "辉", "建", "国", "晨", "宇", "欣", "怡", "浩", "然", "涵", "思", "雨",
    "泽", "轩",
];
const DOTTED: &[&str] = &["阿依古丽·买买提", "艾力·阿不都拉", "热依拉·吐尔逊", "买买提·艾则孜", "古丽娜·努尔兰"];
const STREETS: &[&str] = &[
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "和平路",
    "新华路",
    "胜利路",
    "文化路",
    "长江路",
    "黄河路",
    "朝阳街",
    "青年路",
];

fn rng_for(seed: u64, key: &str) -> StdRng {
    StdRng::seed_from_u64(crate::seed::fnv1a(key) ^ seed.rotate_left(17))
}

fn pick<'a, T: ?Sized>(rng: &mut StdRng, items: &'a [&'a T]) -> &'a T {
    items[rng.random_range(0..items.len())]
}

/// Makes the person for `key` (the order number) under `seed`, valid on `today`.
pub fn generate(seed: u64, key: &str, profile: Profile, today: NaiveDate, pin: &Pin) -> Identity {
    let mut rng = rng_for(seed, key);
    let pinned = pin.idcard.as_deref().and_then(parse_number);
    let region = match pinned {
        Some((r, _, _)) => r,
        None => &regions()[rng.random_range(0..regions().len())],
    };
    let (lo, hi) = match profile {
        Profile::LongTerm => (51, 75),
        Profile::Elderly => (80, 95),
        Profile::Minor => (6, 15),
        _ => (22, 45),
    };
    let birth = match pinned {
        Some((_, birth, _)) => birth,
        None => {
            let age = rng.random_range(lo..=hi);
            today - Duration::days(i64::from(age) * 365 + rng.random_range(0..365))
        }
    };
    let sex = match pinned {
        Some((_, _, sex)) => sex,
        None if rng.random_bool(0.5) => Sex::Male,
        None => Sex::Female,
    };
    let idcard = match (pinned, &pin.idcard) {
        (Some(_), Some(id)) => id.clone(),
        _ => make_number(&mut rng, region, birth, sex, profile == Profile::XCheckDigit),
    };
    // Issued less than 5 years ago, never before birth: every validity period still runs.
    let since_issue = rng.random_range(0..5 * 365).min((today - birth).num_days().max(0));
    let valid_from = today - Duration::days(since_issue);
    let valid_to = validity_years(age_on(birth, valid_from)).map(|y| add_years(valid_from, y));
    let nation = if profile == Profile::DottedName {
        "维吾尔"
    } else if rng.random_bool(0.8) {
        "汉"
    } else {
        pick(&mut rng, nations())
    };
    let name = match (&pin.name, profile) {
        (Some(n), _) => n.clone(),
        (None, Profile::DottedName) => pick(&mut rng, DOTTED).to_string(),
        (None, _) => {
            let given: String = (0..rng.random_range(1..=2)).map(|_| pick(&mut rng, GIVEN)).collect();
            format!("{}{given}", pick(&mut rng, SURNAMES))
        }
    };
    let address = make_address(&mut rng, region, profile == Profile::LongAddress);
    Identity {
        name,
        sex,
        nation,
        birth,
        address,
        idcard,
        authority: region.authority(),
        valid_from,
        valid_to,
        native_place: format!("{}{}", region.province, if region.is_municipality() { "" } else { region.city }),
    }
}

fn make_number(rng: &mut StdRng, region: &Region, birth: NaiveDate, sex: Sex, want_x: bool) -> String {
    use std::fmt::Write as _;
    let start = rng.random_range(0..500u32);
    for step in 0..500 {
        let seq = (start + step) % 500 * 2 + if sex == Sex::Male { 1 } else { 0 };
        let mut number = String::with_capacity(18);
        let _ = write!(number, "{}{}{:03}", region.code, ymd(birth), seq);
        let check = check_digit(&number).expect("17 digits");
        if !want_x || check == 'X' {
            number.push(check);
            return number;
        }
    }
    unreachable!("one sequence number in eleven gives an X check digit")
}

fn make_address(rng: &mut StdRng, region: &Region, long: bool) -> String {
    use std::fmt::Write as _;
    let mut address = String::with_capacity(128);
    region.push_address_prefix(&mut address);
    let _ = write!(address, "{}{}号", pick(rng, STREETS), rng.random_range(1..=999));
    if rng.random_bool(0.5) || long {
        let _ = write!(
            address,
            "{}栋{}单元{}室",
            rng.random_range(1..=30),
            rng.random_range(1..=6),
            rng.random_range(101..=2808)
        );
    }
    if long {
        let filler = "幸福里小区东苑南区";
        address.push_str(filler);
        while address.chars().count() < 60 {
            address.push('附');
        }
        address = address.chars().take(60).collect();
    }
    address
}

/// Region, birth date and sex of a valid number with a known region.
pub fn parse_number(id: &str) -> Option<(&'static Region, NaiveDate, Sex)> {
    if !is_valid_number(id) {
        return None;
    }
    let region = region_of(&id[..6])?;
    let birth = NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").ok()?;
    let sex = if (id.as_bytes()[16] - b'0') % 2 == 1 { Sex::Male } else { Sex::Female };
    Some((region, birth, sex))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_written_yyyymmdd_the_same_as_chronos_format_for_any_year() {
        for (y, m, d) in [(1949, 12, 31), (2000, 1, 1), (2026, 2, 28), (999, 3, 4), (10000, 5, 6), (1, 1, 1)] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(ymd(date).to_string(), date.format("%Y%m%d").to_string(), "{date}");
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn all_profiles() -> [Profile; 7] {
        use Profile::*;
        [Typical, LongTerm, XCheckDigit, DottedName, LongAddress, Elderly, Minor]
    }

    #[test]
    fn the_reference_data_has_62_regions_and_56_nations() {
        assert_eq!(regions().len(), 62);
        assert_eq!(nations().len(), 56);
    }

    #[test]
    fn check_digits_follow_gb_11643() {
        // The standard's own example number.
        assert_eq!(check_digit("11010519491231002"), Some('X'));
        assert!(is_valid_number("11010519491231002X"));
        assert!(!is_valid_number("110105194912310021"));
        assert_eq!(check_digit("1101051949123100"), None);
    }

    #[test]
    fn every_generated_identity_is_coherent() {
        for profile in all_profiles() {
            for i in 0..300 {
                let id = generate(7, &format!("order{i}"), profile, today(), &Pin::default());
                let (region, birth, sex) = parse_number(&id.idcard).expect("valid number with a known region");
                assert_eq!(birth, id.birth);
                assert_eq!(sex, id.sex);
                assert!(id.address.starts_with(&region.address_prefix()), "{}", id.address);
                assert_eq!(id.authority, region.authority());
                assert!(nations().contains(&id.nation));
                let years = validity_years(age_on(id.birth, id.valid_from));
                assert_eq!(id.valid_to, years.map(|y| add_years(id.valid_from, y)));
                assert!(id.valid_to.is_none_or(|end| end > today()), "{profile:?} expired: {}", id.valid_date());
                assert!(id.valid_from <= today() && id.valid_from >= id.birth);
            }
        }
    }

    #[test]
    fn the_same_seed_and_key_give_the_same_person() {
        let a = generate(1, "order-a", Profile::Typical, today(), &Pin::default());
        assert_eq!(a, generate(1, "order-a", Profile::Typical, today(), &Pin::default()));
        assert_ne!(a, generate(2, "order-a", Profile::Typical, today(), &Pin::default()));
    }

    #[test]
    fn edge_profiles_carry_their_edge() {
        let g = |p, k: &str| generate(3, k, p, today(), &Pin::default());
        for k in ["a", "b", "c", "d"] {
            assert!(g(Profile::LongTerm, k).valid_date().ends_with("-长期"));
            assert!(g(Profile::XCheckDigit, k).idcard.ends_with('X'));
            assert!(g(Profile::DottedName, k).name.contains('·'));
            assert_eq!(g(Profile::LongAddress, k).address.chars().count(), 60);
            assert!(age_on(g(Profile::Elderly, k).birth, today()) >= 80);
            let minor = g(Profile::Minor, k);
            assert_eq!(minor.valid_to.map(|t| t.year() - minor.valid_from.year()), Some(5));
            assert!(g(Profile::Typical, k).valid_to.is_some(), "typical cards never say 长期");
        }
    }

    #[test]
    fn municipal_authorities_drop_the_final_qu() {
        let auth = |code| region_of(code).unwrap().authority();
        assert_eq!(auth("110101"), "北京市公安局东城分局");
        assert_eq!(auth("310104"), "上海市公安局徐汇分局");
        assert_eq!(auth("310115"), "上海市公安局浦东分局");
        assert_eq!(auth("440106"), "广州市公安局天河区分局");
        assert_eq!(region_of("110101").unwrap().address_prefix(), "北京市东城区");
        assert_eq!(region_of("440106").unwrap().address_prefix(), "广东省广州市天河区");
    }

    #[test]
    fn a_pinned_number_fixes_region_birth_and_sex() {
        let pin = Pin { name: Some("测试员".into()), idcard: Some("11010519491231002X".into()) };
        let id = generate(9, "k", Profile::Typical, today(), &pin);
        assert_eq!(id.idcard, "11010519491231002X");
        assert_eq!(id.name, "测试员");
        assert_eq!(id.birth_string(), "19491231");
        assert_eq!(id.sex, Sex::Female);
        assert!(id.address.starts_with("北京市朝阳区"));
    }
}
