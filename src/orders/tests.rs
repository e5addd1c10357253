//! The store's bounds, seen from inside.

use super::*;
use crate::image::Format;

fn record(code: &str, bytes: usize) -> SideRecord {
    SideRecord {
        code: code.to_string().into(),
        fields: CardFields::empty(),
        warning: "".into(),
        multi_warning: "".into(),
        clarity: String::new(),
        time: 0,
        format: Format::Png.as_str().into(),
        image: vec![0; bytes],
    }
}

#[test]
fn without_a_data_dir_evictions_leave_nothing_behind_to_delete() {
    let config = Config { max_orders: 3, ..Config::default() };
    let orders = Orders::new(&config);
    for i in 0..1000 {
        orders.put("A", &format!("o{i}"), Side::Front, record("0", 10));
    }
    let inner = orders.inner();
    assert_eq!((inner.map.len(), inner.age.len(), inner.evictions), (3, 3, 997));
    assert!(inner.doomed.is_empty(), "{} keys queued for a data dir that does not exist", inner.doomed.len());
}

#[test]
fn with_a_data_dir_evicted_keys_wait_for_the_writer() {
    let guard = tempfile::tempdir().unwrap();
    let dir = guard.path().join("absent");
    let config = Config { max_orders: 1, data_dir: Some(dir.clone()), ..Config::default() };
    let orders = Orders::new(&config);
    orders.put("A", "o1", Side::Front, record("0", 1));
    orders.put("A", "o2", Side::Front, record("0", 1));
    assert_eq!(orders.inner().doomed, vec![OrderKey::new("A", "o1")]);
}

#[test]
fn an_app_and_order_number_that_join_to_the_same_text_are_two_orders() {
    let orders = Orders::new(&Config::default());
    orders.put("AB", "1", Side::Front, record("0", 1));
    orders.put("A", "B1", Side::Front, record("-1", 1));
    assert_eq!(orders.get("AB", "1").unwrap().front.unwrap().code, "0");
    assert_eq!(orders.get("A", "B1").unwrap().front.unwrap().code, "-1");
    assert_eq!((orders.count_app("AB"), orders.count_app("A")), (1, 1));
    let long = "9".repeat(200);
    orders.put("A", &long, Side::Back, record("0", 1));
    let found = orders.find(&long);
    assert_eq!((found.len(), found[0].app_id(), found[0].order_no()), (1, "A", long.as_str()));
}

#[test]
fn an_order_file_keeps_its_app_id_and_order_no_fields() {
    let orders = Orders::new(&Config::default());
    orders.put("TIDAMOCK", "o1", Side::Front, record("0", 2));
    let order = orders.get("TIDAMOCK", "o1").unwrap();
    let text = serde_json::to_value(&order).unwrap();
    assert_eq!((text["app_id"].as_str(), text["order_no"].as_str()), (Some("TIDAMOCK"), Some("o1")));
    assert!(text.get("bank").is_none(), "{text}");
    let back: Order = serde_json::from_value(text).unwrap();
    assert_eq!(back, order);
}
