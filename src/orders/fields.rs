//! A side's card fields as the store keeps them: one compact JSON object, written once when the
//! answer is recorded and parsed only when `getOcrResult` or the admin API reads it. A store at its
//! cap evicts an order on every call; one string frees in one go where a map of fourteen strings
//! did not (it was a tenth of a small call's CPU).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// `{"name":"…","sex":"…",…}`, or `{}` for a side that answered an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CardFields(Box<str>);

impl CardFields {
    /// The fields of `pairs`, in that order, written straight to JSON text (no map, no copies of
    /// the strings: this runs on every recognised call).
    pub(crate) fn new<'a, const N: usize>(pairs: [(&'a str, &'a str); N]) -> Self {
        struct Pairs<'p, 'a>(&'p [(&'a str, &'a str)]);
        impl Serialize for Pairs<'_, '_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
            }
        }
        let mut out = Vec::with_capacity(32 + pairs.iter().map(|(k, v)| k.len() + v.len() + 6).sum::<usize>());
        serde_json::to_writer(&mut out, &Pairs(&pairs)).expect("a map of strings serialises");
        CardFields(String::from_utf8(out).expect("serde_json writes UTF-8").into_boxed_str())
    }

    pub(crate) fn empty() -> Self {
        CardFields("{}".into())
    }

    /// One field's value, `None` when the side has no such field.
    pub(crate) fn get(&self, key: &str) -> Option<Value> {
        self.to_map().remove(key)
    }

    /// All the fields.
    pub(crate) fn to_map(&self) -> Map<String, Value> {
        serde_json::from_str(&self.0).unwrap_or_default()
    }
}

impl Serialize for CardFields {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match RawValue::from_string(self.0.to_string()) {
            Ok(raw) => raw.serialize(s),
            Err(_) => Map::<String, Value>::new().serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for CardFields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(d)?;
        Ok(CardFields(Value::Object(map).to_string().into_boxed_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_through_json_and_are_read_by_key() {
        let f = CardFields::new([("name", "测试员"), ("sex", "女")]);
        assert_eq!(f.get("name"), Some(Value::String("测试员".into())));
        assert_eq!(f.get("nope"), None);
        let text = serde_json::to_string(&f).unwrap();
        assert_eq!(text, r#"{"name":"测试员","sex":"女"}"#);
        assert_eq!(serde_json::from_str::<CardFields>(&text).unwrap(), f);
        assert_eq!(CardFields::empty().to_map().len(), 0);
    }
}
