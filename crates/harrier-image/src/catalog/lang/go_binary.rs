//! Go binaries: the build information the Go linker embeds in every executable it writes.
//!
//! Since Go 1.13 (module info) and 1.18 (build settings) a Go executable carries a blob that
//! starts with the 14-byte magic `\xff Go buildinf:`, aligned to 16 bytes, in the
//! `.go.buildinfo` section on ELF, `__go_buildinfo` on Mach-O, or at the start of the first
//! writable data segment/section (PE, and ELF/Mach-O without that section). Two layouts exist:
//!
//! - **pointer** (Go 1.13–1.17): after the magic, a pointer-size byte and an endianness byte,
//!   then two pointers to Go string headers (`runtime.buildVersion`, `runtime.modinfo`), each
//!   `{data pointer, length}`, resolved through the file's loadable segments;
//! - **inline** (Go ≥ 1.18, flag bit 2): the two strings follow the 32-byte header, each
//!   prefixed with its length as a varint.
//!
//! The module info is framed by two 16-byte sentinels and is the text `go version -m` prints:
//! `path`, `mod`, `dep` and `=>` (replacement) lines with tab-separated columns, and `build`
//! lines (`key=value`, Go-quoted when they hold spaces or quotes). This follows
//! `debug/buildinfo` and `runtime/debug.ParseBuildInfo` of the Go distribution, and is tested
//! against `go version -m` on binaries the Go toolchain builds at test time.
//!
//! Packages: every `dep` (under the replacement's path and version when it is replaced by a
//! module, like syft; a local-directory replacement keeps the original path and reports
//! `(devel)`), the main module (`mod`; a `(devel)` version becomes the pseudo-version
//! `v0.0.0-<vcs.time>-<vcs.revision[:12]>` when the build recorded VCS settings, as syft does),
//! and the standard library as `stdlib` at the Go version in the form the Go vulnerability
//! database (and so OSV) uses: `go1.21.5` → `1.21.5`, `go1.20` → `1.20.0`, `go1.21rc2` →
//! `1.21.0-rc.2` (the mapping of `golang.org/x/vuln`'s `GoTagToSemver`). Binaries built
//! outside module mode (GOPATH, or the Go distribution's own commands) have a `path` line but
//! no `mod` line; they report only `stdlib`, with the package path kept as metadata, since a
//! package path is not a module and has no version.
//!
//! Which files: executables (any execute bit) and anything under a `bin`, `sbin` or `libexec`
//! directory, up to [`MAX_BINARY_BYTES`]. The magic is looked for before any header parsing,
//! so non-Go executables cost one memory scan.

use std::collections::BTreeMap;

use object::{Object, ObjectSection, ObjectSegment, SectionFlags, SegmentFlags};

use crate::catalog::{CatalogError, Cataloger, FileMeta, Found, Want};
use crate::package::{Package, PackageKind};

/// The largest executable read (Kubernetes and cloud CLIs reach a few hundred MiB).
pub const MAX_BINARY_BYTES: u64 = 512 * 1024 * 1024;

/// The magic that starts the build info blob.
const BUILD_INFO_MAGIC: &[u8] = b"\xff Go buildinf:";
/// Alignment of the blob in memory.
const BUILD_INFO_ALIGN: usize = 16;
/// Size of the blob's header.
const BUILD_INFO_HEADER: usize = 32;
/// How much of the data start is searched for the blob (as `debug/buildinfo` does).
const SEARCH_WINDOW: u64 = 64 * 1024;
/// The longest version or module info string read through pointers (a big binary's module
/// info is tens of KiB).
const MAX_STRING: u64 = 16 * 1024 * 1024;

/// The Go binary cataloger.
pub static GO_BINARY: GoBinaryCataloger = GoBinaryCataloger;

/// Reads the build info of Go executables.
#[derive(Debug, Clone, Copy)]
pub struct GoBinaryCataloger;

impl Cataloger for GoBinaryCataloger {
    fn name(&self) -> &'static str {
        "go-binary"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        binary_want(file)
    }

    fn catalog(&self, file: &FileMeta<'_>, content: &[u8]) -> Result<Found, CatalogError> {
        let info = match read_build_info(content) {
            Ok(Some(info)) => info,
            Ok(None) => return Ok(Found::default()),
            Err(e) => return Err(CatalogError::new(file.path, None, e.to_string())),
        };
        Ok(Found {
            packages: packages(&info, file.path),
            errors: Vec::new(),
        })
    }
}

/// What the binary catalogers (Go, Rust) want: executables and files in binary directories,
/// up to [`MAX_BINARY_BYTES`].
pub(super) fn binary_want(file: &FileMeta<'_>) -> Want {
    if file.size < 4 || file.size > MAX_BINARY_BYTES {
        return Want::No;
    }
    let in_bin_dir = file
        .path
        .rsplit('/')
        .skip(1)
        .any(|dir| matches!(dir, "bin" | "sbin" | "libexec"));
    if file.is_executable() || in_bin_dir {
        Want::Content {
            max_bytes: MAX_BINARY_BYTES,
        }
    } else {
        Want::No
    }
}

/// Whether `data` starts like an ELF, PE or (thin or universal) Mach-O file.
pub(super) fn is_executable_format(data: &[u8]) -> bool {
    let Some(magic) = data.get(..4) else {
        return false;
    };
    magic == b"\x7fELF"
        || magic.starts_with(b"MZ")
        || matches!(
            magic,
            [0xfe, 0xed, 0xfa, 0xce | 0xcf]
                | [0xce | 0xcf, 0xfa, 0xed, 0xfe]
                | [0xca, 0xfe, 0xba, 0xbe]
                | [0xca, 0xfe, 0xba, 0xbf]
        )
}

/// What went wrong reading a binary that has the build info magic.
#[derive(Debug, thiserror::Error)]
pub enum BuildInfoError {
    /// The executable's headers could not be parsed.
    #[error("malformed executable: {0}")]
    Object(#[from] object::Error),
    /// The blob's header is cut short or inconsistent.
    #[error("malformed Go build info: {0}")]
    Blob(&'static str),
    /// The module info text does not parse.
    #[error("malformed Go module info: line {line}: {message}")]
    ModInfo {
        /// 1-based line in the module info text.
        line: u32,
        /// What is wrong.
        message: String,
    },
}

/// A module as the build info records it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Module {
    /// Module path.
    pub path: String,
    /// Version (`(devel)` for the main module of a build without a version).
    pub version: String,
    /// `h1:` checksum, when known.
    pub sum: String,
    /// The module it was replaced by.
    pub replace: Option<Box<Module>>,
}

/// The build information of a Go binary (`runtime/debug.BuildInfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildInfo {
    /// The toolchain version (`go1.21.5`, possibly followed by ` X:<experiments>`).
    pub go_version: String,
    /// The main package's import path.
    pub path: String,
    /// The main module (absent outside module mode).
    pub main: Option<Module>,
    /// Dependencies.
    pub deps: Vec<Module>,
    /// Build settings, in order (`-ldflags`, `CGO_ENABLED`, `GOARCH`, `vcs.revision`…).
    pub settings: Vec<(String, String)>,
}

impl BuildInfo {
    /// The value of a build setting.
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// The build info of a Go executable; `None` when it is not one (or was built without build
/// info).
pub fn read_build_info(data: &[u8]) -> Result<Option<BuildInfo>, BuildInfoError> {
    if !is_executable_format(data) || memchr::memmem::find(data, BUILD_INFO_MAGIC).is_none() {
        return Ok(None);
    }
    if data.starts_with(&[0xca, 0xfe, 0xba]) {
        // A universal Mach-O file: the first architecture with build info answers (they are
        // built from the same source).
        return read_fat_macho(data);
    }
    let file = object::File::parse(data)?;
    read_from_object(&file, data)
}

fn read_fat_macho(data: &[u8]) -> Result<Option<BuildInfo>, BuildInfoError> {
    use object::read::macho::{FatArch, MachOFatFile32, MachOFatFile64};
    let slices: Vec<&[u8]> = if data.get(3) == Some(&0xbe) {
        let fat = MachOFatFile32::parse(data)?;
        fat.arches()
            .iter()
            .filter_map(|arch| arch.data(data).ok())
            .collect()
    } else {
        let fat = MachOFatFile64::parse(data)?;
        fat.arches()
            .iter()
            .filter_map(|arch| arch.data(data).ok())
            .collect()
    };
    for slice in slices {
        let Ok(file) = object::File::parse(slice) else {
            continue;
        };
        if let Some(info) = read_from_object(&file, slice)? {
            return Ok(Some(info));
        }
    }
    Ok(None)
}

fn read_from_object(
    file: &object::File<'_>,
    data: &[u8],
) -> Result<Option<BuildInfo>, BuildInfoError> {
    let Some(start) = data_start(file) else {
        return Ok(None);
    };
    let Some(window) = read_data(file, data, start, SEARCH_WINDOW) else {
        return Ok(None);
    };
    let Some(header) = find_header(window) else {
        return Ok(None);
    };
    let (version, modinfo) = decode_blob(file, data, header)?;
    if version.is_empty() {
        return Ok(None);
    }
    let modinfo = strip_modinfo_framing(&modinfo);
    let mut info = parse_modinfo(modinfo)?;
    info.go_version = version;
    Ok(Some(info))
}

/// Where the blob should be: the dedicated section, else the first writable data segment
/// (`debug/buildinfo`'s `DataStart`).
fn data_start(file: &object::File<'_>) -> Option<u64> {
    for name in [".go.buildinfo", "__go_buildinfo"] {
        if let Some(section) = file.section_by_name(name) {
            return Some(section.address());
        }
    }
    match file.format() {
        object::BinaryFormat::Elf => file
            .segments()
            .find(|s| {
                let p = s.permissions();
                p.writable() && !p.executable()
            })
            .map(|s| s.address()),
        object::BinaryFormat::MachO => file
            .segments()
            .find(|s| {
                let rw = object::macho::VM_PROT_READ.0 | object::macho::VM_PROT_WRITE.0;
                s.address() != 0
                    && s.file_range().1 != 0
                    && matches!(s.flags(), SegmentFlags::MachO { initprot, maxprot, .. }
                        if initprot.0 == rw && maxprot.0 == rw)
            })
            .map(|s| s.address()),
        object::BinaryFormat::Pe => {
            use object::pe;
            let wanted = pe::IMAGE_SCN_CNT_INITIALIZED_DATA.0
                | pe::IMAGE_SCN_MEM_READ.0
                | pe::IMAGE_SCN_MEM_WRITE.0;
            file.sections()
                .find(|s| {
                    s.address() != 0
                        && s.size() != 0
                        && matches!(s.flags(), SectionFlags::Coff { characteristics }
                            if characteristics.0 & !pe::IMAGE_SCN_ALIGN_32BYTES.0 == wanted)
                })
                .map(|s| s.address())
        }
        _ => None,
    }
}

/// Up to `size` bytes of the file mapped at virtual address `addr`, from the one loadable
/// segment holding it (`debug/buildinfo`'s `ReadData`).
fn read_data<'d>(
    file: &object::File<'_>,
    data: &'d [u8],
    addr: u64,
    size: u64,
) -> Option<&'d [u8]> {
    for segment in file.segments() {
        let (offset, file_size) = segment.file_range();
        let start = segment.address();
        if file_size == 0 || addr < start || addr - start >= file_size {
            continue;
        }
        let skip = addr - start;
        let n = (file_size - skip).min(size);
        let begin = usize::try_from(offset.checked_add(skip)?).ok()?;
        let end = begin.checked_add(usize::try_from(n).ok()?)?;
        // A segment may claim more of the file than there is; the part that exists is used.
        let end = end.min(data.len());
        return data.get(begin..end);
    }
    None
}

/// The blob at the first 16-aligned occurrence of the magic in `window`.
fn find_header(window: &[u8]) -> Option<&[u8]> {
    let mut offset = 0;
    loop {
        let rest = window.get(offset..)?;
        let i = memchr::memmem::find(rest, BUILD_INFO_MAGIC)?;
        let at = offset + i;
        if at % BUILD_INFO_ALIGN == 0 {
            let blob = window.get(at..)?;
            return (blob.len() >= BUILD_INFO_HEADER).then_some(blob);
        }
        offset = at + 1;
    }
}

/// The version and module info strings of the blob.
fn decode_blob(
    file: &object::File<'_>,
    data: &[u8],
    blob: &[u8],
) -> Result<(String, Vec<u8>), BuildInfoError> {
    let ptr_size = *blob
        .get(14)
        .ok_or(BuildInfoError::Blob("header cut short"))?;
    let flags = *blob
        .get(15)
        .ok_or(BuildInfoError::Blob("header cut short"))?;
    if flags & 2 != 0 {
        let rest = blob.get(BUILD_INFO_HEADER..).unwrap_or_default();
        let (version, rest) =
            decode_varint_string(rest).ok_or(BuildInfoError::Blob("bad version string"))?;
        let (modinfo, _) = decode_varint_string(rest).unwrap_or_default();
        return Ok((
            String::from_utf8_lossy(version).into_owned(),
            modinfo.to_vec(),
        ));
    }
    let ptr_size = match ptr_size {
        4 | 8 => usize::from(ptr_size),
        _ => return Err(BuildInfoError::Blob("pointer size is neither 4 nor 8")),
    };
    let big_endian = flags != 0;
    let read_ptr = |bytes: &[u8]| -> Option<u64> {
        match (ptr_size, big_endian) {
            (4, false) => Some(u64::from(u32::from_le_bytes(
                bytes.get(..4)?.try_into().ok()?,
            ))),
            (4, true) => Some(u64::from(u32::from_be_bytes(
                bytes.get(..4)?.try_into().ok()?,
            ))),
            (_, false) => Some(u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?)),
            (_, true) => Some(u64::from_be_bytes(bytes.get(..8)?.try_into().ok()?)),
        }
    };
    let read_string = |addr: u64| -> Vec<u8> {
        let two = u64::try_from(2 * ptr_size).unwrap_or(16);
        let Some(header) = read_data(file, data, addr, two).filter(|h| h.len() >= 2 * ptr_size)
        else {
            return Vec::new();
        };
        let (Some(ptr), Some(len)) = (read_ptr(header), header.get(ptr_size..).and_then(read_ptr))
        else {
            return Vec::new();
        };
        if len > MAX_STRING {
            return Vec::new();
        }
        match read_data(file, data, ptr, len) {
            Some(bytes) if u64::try_from(bytes.len()).is_ok_and(|n| n == len) => bytes.to_vec(),
            _ => Vec::new(),
        }
    };
    let version_ptr = blob
        .get(16..)
        .and_then(read_ptr)
        .ok_or(BuildInfoError::Blob("header cut short"))?;
    let modinfo_ptr = blob
        .get(16 + ptr_size..)
        .and_then(read_ptr)
        .ok_or(BuildInfoError::Blob("header cut short"))?;
    let version = read_string(version_ptr);
    let modinfo = read_string(modinfo_ptr);
    Ok((String::from_utf8_lossy(&version).into_owned(), modinfo))
}

/// A varint-length-prefixed string and what follows it.
fn decode_varint_string(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut len: u64 = 0;
    let mut shift = 0u32;
    let mut used = 0usize;
    for &byte in data.iter().take(10) {
        used += 1;
        len |= u64::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            let len = usize::try_from(len).ok()?;
            let end = used.checked_add(len)?;
            return Some((data.get(used..end)?, data.get(end..)?));
        }
        shift += 7;
    }
    None
}

/// The module info without the 16-byte sentinels around it (`cmd/go`'s `infoStart`/`infoEnd`);
/// empty when it is not framed as the Go command frames it.
fn strip_modinfo_framing(modinfo: &[u8]) -> &[u8] {
    let n = modinfo.len();
    if n >= 33 && modinfo.get(n - 17) == Some(&b'\n') {
        modinfo.get(16..n - 16).unwrap_or_default()
    } else {
        &[]
    }
}

/// Parses module info text (`runtime/debug.ParseBuildInfo`, without the `go` line, which the
/// blob records separately).
pub fn parse_modinfo(text: &[u8]) -> Result<BuildInfo, BuildInfoError> {
    let text = String::from_utf8_lossy(text);
    let mut info = BuildInfo::default();
    // Which module a `=>` line replaces: `None` for the main module, `Some(i)` for `deps[i]`;
    // the outer `Option` is whether there is one.
    let mut last: Option<Option<usize>> = None;
    let mut rest: &str = &text;
    let mut line_number = 1u32;
    let err = |line: u32, message: &str| BuildInfoError::ModInfo {
        line,
        message: message.to_owned(),
    };
    // As in Go, a last line without a newline is not read.
    while let Some((line, tail)) = rest.split_once('\n') {
        rest = tail;
        if let Some(elem) = line.strip_prefix("path\t") {
            info.path = elem.to_owned();
        } else if let Some(elem) = line.strip_prefix("mod\t") {
            info.main = Some(module_line(elem).map_err(|m| err(line_number, m))?);
            last = Some(None);
        } else if let Some(elem) = line.strip_prefix("dep\t") {
            info.deps
                .push(module_line(elem).map_err(|m| err(line_number, m))?);
            last = Some(Some(info.deps.len() - 1));
        } else if let Some(elem) = line.strip_prefix("=>\t") {
            let cols: Vec<&str> = elem.split('\t').collect();
            let [path, version, sum] = cols[..] else {
                return Err(err(
                    line_number,
                    &format!("expected 3 columns for replacement; got {}", cols.len()),
                ));
            };
            let replacement = Box::new(Module {
                path: path.to_owned(),
                version: version.to_owned(),
                sum: sum.to_owned(),
                replace: None,
            });
            let target = match last.take() {
                Some(None) => info.main.as_mut(),
                Some(Some(i)) => info.deps.get_mut(i),
                None => None,
            };
            let Some(target) = target else {
                return Err(err(
                    line_number,
                    "replacement with no module on previous line",
                ));
            };
            target.replace = Some(replacement);
        } else if let Some(kv) = line.strip_prefix("build\t") {
            info.settings
                .push(build_setting(kv).map_err(|m| err(line_number, &m))?);
        }
        line_number += 1;
    }
    Ok(info)
}

fn module_line(elem: &str) -> Result<Module, &'static str> {
    let cols: Vec<&str> = elem.split('\t').collect();
    match cols[..] {
        [path, version] => Ok(Module {
            path: path.to_owned(),
            version: version.to_owned(),
            ..Module::default()
        }),
        [path, version, sum] => Ok(Module {
            path: path.to_owned(),
            version: version.to_owned(),
            sum: sum.to_owned(),
            replace: None,
        }),
        _ => Err("expected 2 or 3 columns"),
    }
}

fn quote_key(key: &str) -> bool {
    key.is_empty() || key.contains(['=', ' ', '\t', '\r', '\n', '"', '`'])
}

fn quote_value(value: &str) -> bool {
    value.contains([' ', '\t', '\r', '\n', '"', '`'])
}

fn build_setting(kv: &str) -> Result<(String, String), String> {
    let (key, raw_value) = match kv.chars().next() {
        None => return Err("build line missing '='".to_owned()),
        Some('=') => return Err("build line with missing key".to_owned()),
        Some('"' | '`') => {
            let raw_key = quoted_prefix(kv).ok_or("invalid quoted key in build line")?;
            let after = kv.get(raw_key.len()..).unwrap_or_default();
            let Some(value) = after.strip_prefix('=') else {
                return Err("build line missing '=' after quoted key".to_owned());
            };
            (
                go_unquote(raw_key).ok_or("invalid quoted key in build line")?,
                value,
            )
        }
        Some(_) => {
            let (key, value) = kv
                .split_once('=')
                .ok_or("build line missing '=' after key")?;
            if quote_key(key) {
                return Err(format!("unquoted key {key:?} must be quoted"));
            }
            (key.to_owned(), value)
        }
    };
    let value = match raw_value.chars().next() {
        Some('"' | '`') => go_unquote(raw_value).ok_or("invalid quoted value in build line")?,
        _ if quote_value(raw_value) => {
            return Err(format!("unquoted value {raw_value:?} must be quoted"));
        }
        _ => raw_value.to_owned(),
    };
    Ok((key, value))
}

/// The Go-quoted string at the start of `s` (`strconv.QuotedPrefix`, for `"` and `` ` ``).
fn quoted_prefix(s: &str) -> Option<&str> {
    let mut chars = s.char_indices();
    let (_, quote) = chars.next()?;
    match quote {
        '`' => {
            let end = s.get(1..)?.find('`')? + 2;
            s.get(..end)
        }
        '"' => {
            let mut escaped = false;
            for (i, c) in chars {
                match c {
                    '\n' => return None,
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => return s.get(..i + 1),
                    _ => {}
                }
            }
            None
        }
        _ => None,
    }
}

/// `strconv.Unquote` for double-quoted and back-quoted strings.
fn go_unquote(s: &str) -> Option<String> {
    if let Some(inner) = s.strip_prefix('`').and_then(|r| r.strip_suffix('`')) {
        if inner.contains('`') {
            return None;
        }
        return Some(inner.replace('\r', ""));
    }
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let mut out: Vec<u8> = Vec::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\n' => return None,
            '\\' => {
                let e = chars.next()?;
                let simple = match e {
                    'a' => Some(7u8),
                    'b' => Some(8),
                    'f' => Some(12),
                    'n' => Some(b'\n'),
                    'r' => Some(b'\r'),
                    't' => Some(b'\t'),
                    'v' => Some(11),
                    '\\' => Some(b'\\'),
                    '"' => Some(b'"'),
                    _ => None,
                };
                if let Some(b) = simple {
                    out.push(b);
                    continue;
                }
                match e {
                    'x' => {
                        let hex: String = [chars.next()?, chars.next()?].iter().collect();
                        out.push(u8::from_str_radix(&hex, 16).ok()?);
                    }
                    '0'..='7' => {
                        let oct: String = [e, chars.next()?, chars.next()?].iter().collect();
                        out.push(u8::from_str_radix(&oct, 8).ok()?);
                    }
                    'u' | 'U' => {
                        let n = if e == 'u' { 4 } else { 8 };
                        let mut hex = String::with_capacity(n);
                        for _ in 0..n {
                            hex.push(chars.next()?);
                        }
                        let c = char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?;
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    }
                    _ => return None,
                }
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// The Go toolchain version as the Go vulnerability database writes `stdlib` versions
/// (`golang.org/x/vuln`'s `GoTagToSemver` without the `v`): `go1.21.5` → `1.21.5`,
/// `go1.20` → `1.20.0`, `go1.21rc2` → `1.21.0-rc.2`, `go1.9beta1` → `1.9.0-beta.1`. Anything
/// after a space (` X:boringcrypto`) is ignored; `None` for `devel` builds and other forms.
pub fn stdlib_version(go_version: &str) -> Option<String> {
    let tag = go_version.split_whitespace().next()?;
    match tag {
        "go1" => return Some("1.0.0".to_owned()),
        // x/vuln leaves this one unmapped.
        "go1.0" => return None,
        _ => {}
    }
    let rest = tag.strip_prefix("go")?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // major.minor, then optional .patch, then optional (beta|rc|-pre)N.
    let (major, rest) = rest.split_once('.')?;
    let minor_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (minor, rest) = rest.split_at(minor_end);
    if !digits(major) || !digits(minor) {
        return None;
    }
    let (patch, rest) = match rest.strip_prefix('.') {
        Some(r) => {
            let end = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
            let (p, r) = r.split_at(end);
            if !digits(p) {
                return None;
            }
            (p, r)
        }
        None => ("0", rest),
    };
    let mut version = format!("{major}.{minor}.{patch}");
    if rest.is_empty() {
        return Some(version);
    }
    for (kind, sep) in [("beta", "-"), ("rc", "-"), ("-pre", "")] {
        if let Some(n) = rest.strip_prefix(kind) {
            if digits(n) {
                version.push_str(&format!("{sep}{kind}.{n}"));
                return Some(version);
            }
        }
    }
    None
}

/// The pseudo-version Go would give a main module built from `revision` at `time` with no
/// tag (`module.PseudoVersion("", "", t, rev[:12])`), as syft derives it.
fn pseudo_version(revision: &str, time: &str) -> String {
    let short: String = revision.chars().take(12).collect();
    format!("v0.0.0-{}-{short}", vcs_timestamp(time))
}

/// `2023-05-01T12:34:56Z` → `20230501123456`; Go records `vcs.time` in UTC. Anything else
/// gives the zero time, as syft does when parsing fails.
fn vcs_timestamp(time: &str) -> String {
    let b = time.as_bytes();
    let shape_ok = b.len() >= 20
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && b.get(10) == Some(&b'T')
        && b.get(13) == Some(&b':')
        && b.get(16) == Some(&b':')
        && time.ends_with('Z');
    let digits: String = time
        .get(..19)
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if shape_ok && digits.len() == 14 {
        digits
    } else {
        "00010101000000".to_owned()
    }
}

/// The packages a build info describes.
pub fn packages(info: &BuildInfo, path: &str) -> Vec<Package> {
    let arch = info.setting("GOARCH").map(str::to_owned);
    let main_path = info.main.as_ref().map(|m| m.path.clone());
    let new = |kind: PackageKind, name: &str, version: &str| {
        let mut p = Package::new(kind, name, version, path);
        p.arch = arch.clone();
        p.metadata
            .insert("go.toolchain".to_owned(), info.go_version.clone());
        p
    };
    let mut out = Vec::new();

    for dep in &info.deps {
        let (module, replaced) = effective_module(dep);
        if module.path.is_empty() {
            continue;
        }
        let mut p = new(PackageKind::GoModule, &module.path, &module.version);
        if !module.sum.is_empty() {
            p.metadata.insert("go.sum".to_owned(), module.sum.clone());
        }
        if let Some(replaced) = replaced {
            p.metadata.insert("go.replaces".to_owned(), replaced);
        }
        if let Some(main) = &main_path {
            p.metadata.insert("go.main-module".to_owned(), main.clone());
        }
        out.push(p);
    }

    if let Some(main) = &info.main {
        let mut version = main.version.clone();
        if version == "(devel)" {
            if let (Some(rev), Some(time)) =
                (info.setting("vcs.revision"), info.setting("vcs.time"))
            {
                version = pseudo_version(rev, time);
            }
        }
        let mut p = new(PackageKind::GoModule, &main.path, &version);
        p.metadata.insert("go.main".to_owned(), "true".to_owned());
        if !info.path.is_empty() {
            p.metadata.insert("go.path".to_owned(), info.path.clone());
        }
        if !main.sum.is_empty() {
            p.metadata.insert("go.sum".to_owned(), main.sum.clone());
        }
        let settings: BTreeMap<String, String> = info
            .settings
            .iter()
            .map(|(k, v)| (format!("go.build.{k}"), v.clone()))
            .collect();
        p.metadata.extend(settings);
        out.push(p);
    }

    if let Some(version) = stdlib_version(&info.go_version) {
        let mut p = new(PackageKind::GoStdlib, "stdlib", &version);
        p.licenses.push("BSD-3-Clause".to_owned());
        if let Some(experiments) = info
            .go_version
            .split_whitespace()
            .find_map(|w| w.strip_prefix("X:"))
        {
            p.metadata
                .insert("go.experiments".to_owned(), experiments.to_owned());
        }
        if info.main.is_none() && !info.path.is_empty() {
            p.metadata.insert("go.path".to_owned(), info.path.clone());
        }
        out.push(p);
    }
    out
}

/// The module whose code is in the binary, and what it replaced (`path@version`). A
/// local-directory replacement (no version) keeps the original path, versioned `(devel)`.
fn effective_module(dep: &Module) -> (Module, Option<String>) {
    let Some(replace) = &dep.replace else {
        return (dep.clone(), None);
    };
    let replaced = format!("{}@{}", dep.path, dep.version);
    let local = replace.version.is_empty() || replace.version == "(devel)";
    if local {
        let module = Module {
            path: dep.path.clone(),
            version: "(devel)".to_owned(),
            sum: String::new(),
            replace: None,
        };
        let mut replaced = replaced;
        replaced.push_str(" => ");
        replaced.push_str(&replace.path);
        return (module, Some(replaced));
    }
    let module = Module {
        path: replace.path.clone(),
        version: replace.version.clone(),
        sum: replace.sum.clone(),
        replace: None,
    };
    (module, Some(replaced))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdlib_versions_follow_the_go_vulnerability_database() {
        let cases = [
            ("go1.21.5", Some("1.21.5")),
            ("go1.20", Some("1.20.0")),
            ("go1.21.0", Some("1.21.0")),
            ("go1.21rc2", Some("1.21.0-rc.2")),
            ("go1.9beta1", Some("1.9.0-beta.1")),
            ("go1.22.0 X:boringcrypto", Some("1.22.0")),
            ("go1", Some("1.0.0")),
            ("go1.0", None),
            ("devel go1.23-abcdef Tue Jan 2 15:04:05 2024 +0000", None),
            ("go1.21.x", None),
            ("", None),
        ];
        for (tag, want) in cases {
            assert_eq!(stdlib_version(tag).as_deref(), want, "{tag}");
        }
    }

    #[test]
    fn modinfo_lines() {
        let text = b"path\texample.com/cmd/x\nmod\texample.com\t(devel)\t\ndep\tgolang.org/x/mod\tv0.7.0\th1:abc=\ndep\texample.com/a\tv1.0.0\n=>\texample.com/b\tv1.1.0\th1:def=\nbuild\t-ldflags=\"-s -w\"\nbuild\tCGO_ENABLED=0\nbuild\t\"we ird\"=`v`\nbuild\tvcs.modified=false\nbuild\tlast=not-read";
        let info = parse_modinfo(text).expect("parses");
        assert_eq!(info.path, "example.com/cmd/x");
        assert_eq!(
            info.main.as_ref().map(|m| m.version.as_str()),
            Some("(devel)")
        );
        assert_eq!(info.deps.len(), 2);
        assert_eq!(
            info.deps[1].replace.as_ref().map(|r| r.path.as_str()),
            Some("example.com/b")
        );
        assert_eq!(
            info.settings,
            vec![
                ("-ldflags".to_owned(), "-s -w".to_owned()),
                ("CGO_ENABLED".to_owned(), "0".to_owned()),
                ("we ird".to_owned(), "v".to_owned()),
                ("vcs.modified".to_owned(), "false".to_owned()),
            ]
        );
    }

    #[test]
    fn modinfo_errors_name_the_line() {
        let cases: [(&[u8], u32); 5] = [
            (b"mod\ta\n", 1),
            (b"path\tx\n=>\ta\tb\tc\n", 2),
            (b"dep\ta\tv1\n=>\ta\tb\n", 2),
            (b"build\tno-equals\n", 1),
            (b"build\tk=has space\n", 1),
        ];
        for (text, line) in cases {
            match parse_modinfo(text) {
                Err(BuildInfoError::ModInfo { line: l, .. }) => assert_eq!(l, line, "{text:?}"),
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn go_quoting() {
        assert_eq!(
            go_unquote(r#""a\tb\x41\101\u00e9\"""#).as_deref(),
            Some("a\tbAAé\"")
        );
        assert_eq!(go_unquote("`raw\\n`").as_deref(), Some("raw\\n"));
        assert_eq!(go_unquote(r#""\q""#), None);
        assert_eq!(go_unquote(r#""\400""#), None);
        assert_eq!(quoted_prefix(r#""a\"b"=c"#), Some(r#""a\"b""#));
        assert_eq!(quoted_prefix("`ab`=c"), Some("`ab`"));
        assert_eq!(quoted_prefix("\"open"), None);
    }

    #[test]
    fn pseudo_versions() {
        assert_eq!(
            pseudo_version("0123456789abcdef0123", "2023-05-01T12:34:56Z"),
            "v0.0.0-20230501123456-0123456789ab"
        );
        assert_eq!(
            pseudo_version("abc", "yesterday"),
            "v0.0.0-00010101000000-abc"
        );
    }

    #[test]
    fn replacements() {
        let dep = |replace: Option<Module>| Module {
            path: "example.com/a".into(),
            version: "v1.0.0".into(),
            sum: "h1:x".into(),
            replace: replace.map(Box::new),
        };
        let (m, r) = effective_module(&dep(None));
        assert_eq!((m.path.as_str(), r), ("example.com/a", None));
        let fork = Module {
            path: "example.com/fork".into(),
            version: "v1.0.1".into(),
            ..Module::default()
        };
        let (m, r) = effective_module(&dep(Some(fork)));
        assert_eq!(
            (m.path.as_str(), m.version.as_str()),
            ("example.com/fork", "v1.0.1")
        );
        assert_eq!(r.as_deref(), Some("example.com/a@v1.0.0"));
        let local = Module {
            path: "../a".into(),
            ..Module::default()
        };
        let (m, r) = effective_module(&dep(Some(local)));
        assert_eq!(
            (m.path.as_str(), m.version.as_str()),
            ("example.com/a", "(devel)")
        );
        assert_eq!(r.as_deref(), Some("example.com/a@v1.0.0 => ../a"));
    }

    #[test]
    fn wants_executables_and_bin_dirs() {
        let meta = |path, mode, size| FileMeta { path, size, mode };
        assert_eq!(
            binary_want(&meta("usr/lib/x/tool", 0o755, 1000)),
            Want::Content {
                max_bytes: MAX_BINARY_BYTES
            }
        );
        assert!(matches!(
            binary_want(&meta("usr/local/bin/tool", 0o644, 1000)),
            Want::Content { .. }
        ));
        assert_eq!(binary_want(&meta("etc/passwd", 0o644, 1000)), Want::No);
        assert_eq!(binary_want(&meta("bin", 0o644, 1000)), Want::No);
        assert_eq!(
            binary_want(&meta("usr/bin/huge", 0o755, MAX_BINARY_BYTES + 1)),
            Want::No
        );
    }
}
