//! A journal entry's texts (the host, the kept headers, the scenario and why, the reason, the
//! order number, the app id) in one allocation. The ring keeps up to `--journal-limit` entries and
//! drops the oldest on every request: one block made and one freed per entry, where there were
//! eight, each freed long after it was written, when the cache no longer held it.
//!
//! Imports nothing of the crate.

/// Which text of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Text {
    Host,
    Headers,
    Scenario,
    ScenarioWhy,
    Reason,
    OrderNo,
    AppId,
}

impl Text {
    /// Every text, in the order they are stored.
    const ALL: [Text; 7] =
        [Text::Host, Text::Headers, Text::Scenario, Text::ScenarioWhy, Text::Reason, Text::OrderNo, Text::AppId];
}

const COUNT: usize = Text::ALL.len();

/// The texts, one after the other in `buf`; each present or absent.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Texts {
    buf: Box<str>,
    /// Where each text starts in `buf`, and where the last one ends.
    starts: [u32; COUNT + 1],
    /// Bit `i` set: text `i` is present (it may be empty).
    present: u8,
}

impl Texts {
    /// The texts given, in [`Text`]'s order, copied into one block.
    ///
    /// # Panics
    /// When the texts together exceed 4 GiB (every text of an entry is clipped long before).
    pub(crate) fn new(texts: [Option<&str>; COUNT]) -> Self {
        let len = texts.iter().flatten().map(|t| t.len()).sum::<usize>();
        let mut buf = String::with_capacity(len);
        let (mut starts, mut present) = ([0u32; COUNT + 1], 0u8);
        for (i, t) in texts.iter().enumerate() {
            starts[i] = u32::try_from(buf.len()).expect("an entry's texts fit in 4 GiB");
            if let Some(t) = t {
                buf.push_str(t);
                present |= 1 << i;
            }
        }
        starts[COUNT] = u32::try_from(buf.len()).expect("an entry's texts fit in 4 GiB");
        Texts { buf: buf.into_boxed_str(), starts, present }
    }

    pub(crate) fn get(&self, t: Text) -> Option<&str> {
        let i = t as usize;
        (self.present & (1 << i) != 0).then(|| &self.buf[self.starts[i] as usize..self.starts[i + 1] as usize])
    }

    /// Bytes held.
    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }
}

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(Text::ALL.iter().filter_map(|t| Some((t, self.get(*t)?)))).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_text_reads_back_as_given_an_empty_one_is_present_and_a_missing_one_is_not() {
        let t = Texts::new([Some("h:1"), Some("{}"), None, Some(""), Some("原因"), None, Some("APP")]);
        assert_eq!(t.get(Text::Host), Some("h:1"));
        assert_eq!(t.get(Text::Headers), Some("{}"));
        assert_eq!(t.get(Text::Scenario), None);
        assert_eq!(t.get(Text::ScenarioWhy), Some(""));
        assert_eq!(t.get(Text::Reason), Some("原因"));
        assert_eq!(t.get(Text::OrderNo), None);
        assert_eq!(t.get(Text::AppId), Some("APP"));
        assert_eq!(t.len(), "h:1{}原因APP".len());
        assert_eq!(Texts::default().get(Text::Host), None);
    }
}
