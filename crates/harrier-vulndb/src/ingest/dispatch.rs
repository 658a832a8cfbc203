//! From one file's bytes to records in the sink: format detection, the parser for that
//! format, and the file's path added to every error and summary (parsers never see paths).

use std::sync::Arc;

use super::text::{self, ParseError};
use super::{
    FileError, FileErrorKind, FileSummary, Format, KevCatalog, Sink, alpine, debian, detect, epss,
    kev, osv, rustsec,
};
use crate::model::Advisory;

/// Reads one feed file (not an archive) and hands its records to `sink`.
pub(super) fn import_file(path: &Arc<str>, bytes: &[u8], sink: &mut dyn Sink) {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let Some(candidate) = detect::candidate(name) else {
        sink.skipped(Arc::clone(path));
        return;
    };
    let text = match text::utf8(bytes) {
        Ok(text) => text,
        Err(offset) => {
            // Binary files with feed-like names are rare; say so only where a feed was likely.
            if candidate == detect::Candidate::Bare {
                sink.skipped(Arc::clone(path));
            } else {
                sink.error(FileError::new(
                    path,
                    None,
                    FileErrorKind::NotUtf8 { offset },
                ));
            }
            return;
        }
    };
    let mut reader = FileReader { path, sink };
    match candidate {
        detect::Candidate::Json => reader.json(text),
        detect::Candidate::Yaml => reader.yaml(text),
        detect::Candidate::Markdown if detect::is_rustsec(text) => reader.rustsec(text),
        detect::Candidate::Csv => match detect::csv_format(text) {
            Some(Format::EpssCsv) => reader.epss(text),
            Some(_) => reader.kev(Format::KevCsv, kev::parse_csv(text)),
            None => reader.skip(),
        },
        detect::Candidate::Bare if detect::is_debian_list(text) => {
            let out = debian::parse_list(text);
            reader.advisories(Format::DebianList, out.advisories, out.problems, None);
        }
        // The tracker serves its export as `…/tracker/data/json`, saved without an extension.
        detect::Candidate::Bare if text.trim_start().starts_with('{') => reader.json(text),
        detect::Candidate::Markdown | detect::Candidate::Bare => reader.skip(),
    }
}

/// Hands one file's results to the sink with its path.
struct FileReader<'a> {
    path: &'a Arc<str>,
    sink: &'a mut dyn Sink,
}

impl FileReader<'_> {
    fn skip(&mut self) {
        self.sink.skipped(Arc::clone(self.path));
    }

    fn fail(&mut self, format: Format, error: ParseError) {
        let kind = FileErrorKind::Parse {
            format,
            message: error.message,
        };
        self.sink.error(FileError::new(self.path, error.pos, kind));
    }

    /// A file whose syntax fails before its format is known.
    fn syntax(&mut self, language: &'static str, error: ParseError) {
        let kind = FileErrorKind::Syntax {
            language,
            message: error.message,
        };
        self.sink.error(FileError::new(self.path, error.pos, kind));
    }

    fn problems(&mut self, format: Format, problems: Vec<ParseError>) {
        for problem in problems {
            let kind = FileErrorKind::Record {
                format,
                message: problem.message,
            };
            self.sink
                .error(FileError::new(self.path, problem.pos, kind));
        }
    }

    fn summary(
        &mut self,
        format: Format,
        records: usize,
        withdrawn: usize,
        feed_version: Option<String>,
    ) {
        self.sink.file(FileSummary {
            path: Arc::clone(self.path),
            format,
            records,
            withdrawn,
            feed_version,
        });
    }

    fn advisories(
        &mut self,
        format: Format,
        advisories: Vec<Advisory>,
        problems: Vec<ParseError>,
        version: Option<String>,
    ) {
        self.problems(format, problems);
        self.summary(format, advisories.len(), 0, version);
        for advisory in advisories {
            self.sink.advisory(advisory);
        }
    }

    fn record(&mut self, format: Format, parsed: Result<osv::Parsed, ParseError>) {
        let parsed = match parsed {
            Ok(parsed) => parsed,
            Err(error) => return self.fail(format, error),
        };
        self.problems(format, parsed.problems);
        match parsed.record {
            osv::Record::Advisory(advisory) => {
                self.summary(format, 1, 0, None);
                self.sink.advisory(advisory);
            }
            osv::Record::Withdrawn { id } => {
                self.summary(format, 0, 1, None);
                self.sink.withdrawn(id);
            }
        }
    }

    fn json(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let format = match detect::json_format(bytes) {
            Ok(Some(format)) => format,
            Ok(None) => return self.skip(),
            Err(e) => return self.syntax("JSON", ParseError::from_json(&e)),
        };
        match format {
            Format::OsvJson => self.record(format, osv::parse_json(bytes)),
            Format::KevJson => self.kev(format, kev::parse_json(bytes)),
            Format::AlpineSecdbJson => self.secdb(format, alpine::parse_json(bytes)),
            Format::DebianTrackerJson => match debian::parse_tracker_json(bytes) {
                Ok(out) => self.advisories(format, out.advisories, out.problems, None),
                Err(error) => self.fail(format, error),
            },
            _ => self.skip(),
        }
    }

    fn yaml(&mut self, text: &str) {
        let stream = harrier_core::yaml::parse_stream(text, harrier_core::yaml::Schema::Core);
        let Some(document) = stream.documents.first() else {
            return match stream.error {
                Some(problem) => self.syntax("YAML", ParseError::at(problem.pos, problem.message)),
                None => self.skip(),
            };
        };
        let Some(format) = detect::yaml_format(&document.root) else {
            return self.skip();
        };
        if let Some(problem) = stream.error {
            return self.fail(format, ParseError::at(problem.pos, problem.message));
        }
        match format {
            Format::OsvYaml => self.record(format, osv::from_yaml_node(&document.root)),
            _ => self.secdb(format, alpine::from_yaml_node(&document.root)),
        }
    }

    fn rustsec(&mut self, text: &str) {
        self.record(Format::RustSec, rustsec::parse(text));
    }

    fn secdb(&mut self, format: Format, parsed: Result<alpine::SecdbOutput, ParseError>) {
        match parsed {
            Ok(out) => self.advisories(format, out.advisories, out.problems, Some(out.release)),
            Err(error) => self.fail(format, error),
        }
    }

    fn kev(&mut self, format: Format, parsed: Result<KevCatalog, ParseError>) {
        let catalog = match parsed {
            Ok(catalog) => catalog,
            Err(error) => return self.fail(format, error),
        };
        self.problems(format, catalog.problems);
        self.summary(format, catalog.entries.len(), 0, catalog.catalog_version);
        for entry in catalog.entries {
            self.sink.kev(entry);
        }
    }

    fn epss(&mut self, text: &str) {
        let file = match epss::parse(text) {
            Ok(file) => file,
            Err(error) => return self.fail(Format::EpssCsv, error),
        };
        self.problems(Format::EpssCsv, file.problems);
        let version = match (file.model_version, file.score_date) {
            (Some(model), Some(date)) => Some(format!("{model} {date}")),
            (model, date) => model.or(date),
        };
        self.summary(Format::EpssCsv, file.scores.len(), 0, version);
        for score in file.scores {
            self.sink.epss(score);
        }
    }
}
