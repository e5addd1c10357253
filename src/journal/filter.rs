//! The filters of `GET /__admin/requests` and `/__admin/requests/count`.

use super::{parse_query, Entry};
use crate::clock::{self, Millis};

/// Which entries `GET /__admin/requests` returns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub(crate) path: Option<String>,
    pub(crate) method: Option<String>,
    pub(crate) code: Option<String>,
    pub(crate) scenario: Option<String>,
    pub(crate) order_no: Option<String>,
    /// The app the request named (`/__admin/apps/{id}/requests` sets it).
    pub(crate) app_id: Option<String>,
    pub(crate) since: Option<Since>,
    /// The newest `limit` of the matches.
    pub(crate) limit: Option<usize>,
}

/// `since=`: a journal id (entries after it) or an RFC 3339 time (entries at or after it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    Id(u64),
    Time(Millis),
}

impl Filter {
    /// Reads the filter from a query string.
    ///
    /// # Errors
    /// A message naming the parameter when `since` or `limit` cannot be read, or a name is unknown.
    pub(crate) fn parse(query: &str) -> Result<Filter, String> {
        let mut f = Filter::default();
        for (k, v) in parse_query(query) {
            match k.as_str() {
                "path" => f.path = Some(v),
                "method" => f.method = Some(v.to_ascii_uppercase()),
                "code" => f.code = Some(v),
                "scenario" => f.scenario = Some(v),
                "order_no" | "orderNo" => f.order_no = Some(v),
                "app_id" | "appId" => f.app_id = Some(v),
                "since" => f.since = Some(parse_since(&v)?),
                "limit" => f.limit = Some(v.parse().map_err(|_| format!("limit={v:?} is not a number"))?),
                other => {
                    return Err(format!(
                        "unknown filter {other:?}; use path, method, code, scenario, order_no, app_id, since, limit"
                    ))
                }
            }
        }
        Ok(f)
    }

    /// `true` when `e` passes every filter given.
    pub(crate) fn matches(&self, e: &Entry) -> bool {
        let eq = |want: &Option<String>, got: Option<&str>| want.as_deref().is_none_or(|w| got == Some(w));
        eq(&self.path, Some(&e.path))
            && eq(&self.method, Some(&e.method))
            && eq(&self.code, e.code)
            && eq(&self.scenario, e.scenario())
            && eq(&self.order_no, e.order_no())
            && eq(&self.app_id, e.app_id())
            && match self.since {
                None => true,
                Some(Since::Id(id)) => e.id > id,
                Some(Since::Time(at)) => e.at >= at,
            }
    }
}

fn parse_since(v: &str) -> Result<Since, String> {
    if let Ok(id) = v.parse::<u64>() {
        return Ok(Since::Id(id));
    }
    clock::parse_rfc3339(v)
        .map(Since::Time)
        .map_err(|e| format!("since={v:?} is neither a journal id nor an RFC 3339 time: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_refuse_unknown_names_and_read_since() {
        assert!(Filter::parse("pth=/x").unwrap_err().contains("unknown filter"));
        assert_eq!(Filter::parse("since=3").unwrap().since, Some(Since::Id(3)));
        assert!(matches!(Filter::parse("since=2026-01-15T10:00:00%2B08:00").unwrap().since, Some(Since::Time(_))));
    }
}
