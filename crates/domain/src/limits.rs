//! Length limits of text fields, in characters (Unicode scalar values, counted after
//! NFC normalisation). Defined once: the importer, curation and the API all use these.

/// A title of an objective, an item, an instrument or a guidance body.
pub const TITLE: usize = 500;
/// A short name: a principle, region, country, document type, a city, a record's kind.
pub const NAME: usize = 200;
/// An item's summary.
pub const SUMMARY: usize = 10_000;
/// A web address.
pub const URL: usize = 2_000;
/// The organisation behind an item.
pub const ORGANISATION: usize = 300;
/// The city of an event.
pub const CITY: usize = 200;
/// A guidance body's abbreviation (e.g. "CMW").
pub const ABBREVIATION: usize = 100;
/// The paragraph a guidance text cites, as its document labels it (e.g. "32 (b)").
pub const PARAGRAPH_LABEL: usize = 50;
/// A UN document symbol (e.g. "A/HRC/26/35"), in ASCII characters.
pub const DOCUMENT_SYMBOL: usize = 200;
/// Long texts of the catalogue files (commitments, actions, guidance, reasons).
pub const LONG: usize = 100_000;
/// A reviewer's comment.
pub const COMMENT: usize = 10_000;
/// Why an item was retracted.
pub const REASON: usize = 2_000;
/// An API key's name.
pub const KEY_NAME: usize = 100;
/// Text a client searches or filters by (search text, audit-log filters).
pub const QUERY_TEXT: usize = 500;

/// The highest position in a list (an item's Hub place, a record's order): well below the
/// range the importer parks rows in while it reorders a table.
pub const MAX_POSITION: i32 = 100_000_000;
