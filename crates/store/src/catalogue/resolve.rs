//! References between files: what each file's records are known by (objective numbers,
//! region names and slugs, country codes, document types, guidance ids, item ids), and
//! the checks of the fields that point at them. Each index is `None` while its file
//! could not be read at all: references into it are then not checked (the file's own
//! problem is reported instead).

use std::collections::{HashMap, HashSet};

use gcm_domain::ObjectiveNumber;

use super::format::{Keys, NAME, countries, document_types, guidance, items, objectives, regions};
use super::json::{Problems, quoted};
use super::model::Action;
use super::obj::Obj;

/// What later files need to know about an objective of objectives.json. `None` fields
/// were invalid (already reported), so comparisons with them are skipped.
pub(crate) struct ObjectiveFacts {
    pub commitment_text: Option<Option<String>>,
    pub actions_lead_in: Option<Option<String>>,
    pub actions: Option<Vec<Action>>,
}

pub(crate) struct GuidanceFacts {
    pub objective: Option<i32>,
    /// Its index in the catalogue's guidance (None when the record itself is invalid).
    pub index: Option<usize>,
}

/// A links.json entry's guidance, resolved.
pub(crate) struct GuidanceRef {
    pub id: String,
    pub objective: Option<i32>,
    pub index: Option<usize>,
}

pub(crate) struct Resolver<'p> {
    pub problems: &'p Problems,
    pub objectives: Option<HashMap<i32, ObjectiveFacts>>,
    /// Region name → slug (None when the slug is invalid).
    pub regions_by_name: Option<HashMap<String, Option<String>>>,
    pub region_slugs: Option<HashSet<String>>,
    /// (name, country_count, path) of regions.json, checked against countries.json.
    pub region_counts: Vec<(String, i64, String)>,
    pub iso2s: Option<HashSet<String>>,
    pub iso3s: Option<HashSet<String>>,
    pub document_types: Option<HashSet<String>>,
    pub guidance: Option<HashMap<String, GuidanceFacts>>,
    /// Every item id seen in an objective file, in order.
    pub items: Vec<String>,
    /// Item id → its index in the catalogue's items (None when the item is invalid).
    pub item_index: HashMap<String, Option<usize>>,
    /// Item ids are unique across every objective file.
    pub item_ids: Keys,
    pub every_page_readable: bool,
}

impl<'p> Resolver<'p> {
    pub fn new(problems: &'p Problems) -> Self {
        Self {
            problems,
            objectives: None,
            regions_by_name: None,
            region_slugs: None,
            region_counts: Vec::new(),
            iso2s: None,
            iso3s: None,
            document_types: None,
            guidance: None,
            items: Vec::new(),
            item_index: HashMap::new(),
            item_ids: Keys::new(items::ACROSS_FILES_KEYS),
            every_page_readable: true,
        }
    }

    /// A field naming an objective: a GCM objective number present in objectives.json.
    pub fn objective_ref(&self, o: &Obj<'_>, key: &str) -> Option<i32> {
        let n = o
            .int(key)
            .and_then(|n| o.check(key, ObjectiveNumber::new(n)))?
            .get();
        self.objective_exists(o, key, n).then_some(n)
    }

    pub fn objective_exists(&self, o: &Obj<'_>, key: &str, n: i32) -> bool {
        match &self.objectives {
            Some(known) if !known.contains_key(&n) => {
                o.report(key, format!("objective {n} is not in {}", objectives::FILE));
                false
            }
            _ => true,
        }
    }

    /// Whether objective `n` is unknown (false while objectives.json is unreadable).
    pub fn lacks_objective(&self, n: i32) -> bool {
        self.objectives
            .as_ref()
            .is_some_and(|known| !known.contains_key(&n))
    }

    pub fn objective_facts(&self, n: i32) -> Option<&ObjectiveFacts> {
        self.objectives.as_ref()?.get(&n)
    }

    /// A country's `region` (a name of regions.json) as the region's slug.
    pub fn region_of_country(&self, c: &Obj<'_>, region: Option<&String>) -> Option<String> {
        let (region, by_name) = (region?, self.regions_by_name.as_ref()?);
        match by_name.get(region) {
            Some(slug) => slug.clone(),
            None => {
                c.report(
                    "region",
                    format!("{} is not a region in {}", quoted(region), regions::FILE),
                );
                None
            }
        }
    }

    /// regions.json's `country_count`s against the countries per region name.
    pub fn check_region_counts(&self, per_region: &HashMap<String, i64>) {
        if self.regions_by_name.is_none() {
            return;
        }
        for (name, given, path) in &self.region_counts {
            let counted = per_region.get(name).copied().unwrap_or(0);
            if counted != *given {
                self.problems.report(
                    regions::FILE,
                    path,
                    format!(
                        "{given} does not match {}, which puts {counted} countries in {}",
                        countries::FILE,
                        quoted(name)
                    ),
                );
            }
        }
    }

    pub fn lacks_region_slug(&self, slug: &str) -> bool {
        self.region_slugs
            .as_ref()
            .is_some_and(|known| !known.contains(slug))
    }

    pub fn lacks_iso3(&self, code: &str) -> bool {
        self.iso3s
            .as_ref()
            .is_some_and(|known| !known.contains(code))
    }

    /// An event's country (alpha-2), which must be in countries.json.
    pub fn known_iso2(&self, c: &Obj<'_>, code: &str) -> bool {
        match &self.iso2s {
            Some(known) if !known.contains(code) => {
                c.report(
                    "iso_alpha2",
                    format!(
                        "{} is not the alpha-2 code of a country in {}",
                        quoted(code),
                        countries::FILE
                    ),
                );
                false
            }
            _ => true,
        }
    }

    /// An item's `document_type`, which must be a slug of document_types.json.
    pub fn known_document_type(&self, it: &Obj<'_>, slug: &str) -> bool {
        match &self.document_types {
            Some(known) if !known.contains(slug) => {
                it.report(
                    "document_type",
                    format!(
                        "{} is not a document type in {}",
                        quoted(slug),
                        document_types::FILE
                    ),
                );
                false
            }
            _ => true,
        }
    }

    /// An item read from an objective file: its id is checked across files and, when
    /// new, registered for links.json (`index` is None when the item is invalid).
    pub fn register_item(&mut self, item: &Obj<'_>, slug: String, index: Option<usize>) {
        if self.item_ids.text_key(item, "id", &slug) {
            self.item_index.insert(slug.clone(), index);
            self.items.push(slug);
        }
    }

    /// The `guidance` field of a links.json entry: an id of guidance.json, once per list.
    pub fn guidance_ref(&self, e: &Obj<'_>, seen: &mut Keys) -> Option<GuidanceRef> {
        let id = e.text("guidance", NAME)?;
        let (objective, index) = match &self.guidance {
            Some(known) => match known.get(&id) {
                Some(f) => (f.objective, f.index),
                None => {
                    e.report(
                        "guidance",
                        format!("{} is not a guidance id in {}", quoted(&id), guidance::FILE),
                    );
                    return None;
                }
            },
            None => (None, None),
        };
        seen.text_key(e, "guidance", &id).then_some(GuidanceRef {
            id,
            objective,
            index,
        })
    }

    /// An item id in links.json: `Some(index)` when the item is in an objective file
    /// (`index` is None when the item itself is invalid), `None` when it is unknown.
    pub fn item_ref(&self, file: &str, path: &str, id: &str) -> Option<Option<usize>> {
        match self.item_index.get(id) {
            Some(index) => Some(*index),
            None => {
                if self.every_page_readable {
                    self.problems.report(
                        file,
                        path,
                        format!(
                            "{} is not the id of an item in the objective files",
                            quoted(id)
                        ),
                    );
                }
                None
            }
        }
    }
}
