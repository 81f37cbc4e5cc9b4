//! The catalogue in `data/catalogue/`, compiled into the binary so `serve` and
//! `import --bundled` work from any directory.

use super::CatalogueFile;

macro_rules! bundled {
    ($($name:literal),+ $(,)?) => {
        &[$(($name, include_str!(concat!("../../../../data/catalogue/", $name)))),+]
    };
}

/// Every JSON file of `data/catalogue/` (a test checks that none is missing here).
const FILES: &[(&str, &str)] = bundled!(
    "objectives.json",
    "principles.json",
    "regions.json",
    "countries.json",
    "document_types.json",
    "instruments.json",
    "guidance.json",
    "links.json",
    "objective_22_content.json",
);

pub(crate) fn files() -> Vec<CatalogueFile> {
    FILES
        .iter()
        .map(|(name, text)| CatalogueFile {
            name: (*name).to_owned(),
            text: (*text).to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn every_json_file_of_the_data_directory_is_bundled() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/catalogue");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .expect("data/catalogue is readable")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|name| name.ends_with(".json"))
            .collect();
        on_disk.sort();
        let mut bundled: Vec<String> = super::FILES.iter().map(|(n, _)| (*n).to_owned()).collect();
        bundled.sort();
        assert_eq!(bundled, on_disk);
    }
}
