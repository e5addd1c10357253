//! The store's bounds, seen from inside.

use super::*;
use crate::image::Format;

fn record(code: &str, bytes: usize) -> SideRecord {
    SideRecord {
        code: code.to_string().into(),
        fields: CardFields::empty(),
        warning: String::new(),
        multi_warning: String::new(),
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
    assert_eq!(orders.inner().doomed, vec![("A".to_string(), "o1".to_string())]);
}
