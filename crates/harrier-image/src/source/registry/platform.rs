//! Platforms (`os/architecture[/variant]`) and how an index entry is chosen for one.
//!
//! Names are normalised as containerd's `platforms` package does, so that `linux/aarch64`,
//! `linux/arm64` and `linux/arm64/v8` are one platform and `linux/arm` means `linux/arm/v7`.
//! An entry matches when os and architecture are equal and the variant is compatible: the
//! same, or for 32-bit ARM an older one the wanted variant can run (v7 runs v6 and v5). When
//! the variant was not named, any variant of the architecture will do if the default one is
//! absent, since scanning, unlike running, does not depend on the CPU.

use std::fmt;
use std::str::FromStr;

/// A target platform.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Platform {
    /// Operating system (`linux`, `windows`), as Go's `GOOS`.
    pub os: String,
    /// CPU architecture (`amd64`, `arm64`, `arm`, `386`, `ppc64le`, `s390x`), as `GOARCH`.
    pub architecture: String,
    /// CPU variant (`v7`, `v8`), when named.
    pub variant: Option<String>,
}

/// Why a string is not a platform.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid platform `{input}`: expected os/architecture[/variant], like linux/arm64")]
pub struct PlatformError {
    /// What was parsed.
    pub input: String,
}

impl Default for Platform {
    /// `linux/amd64`: the platform nearly every image is built for.
    fn default() -> Self {
        Platform {
            os: "linux".to_owned(),
            architecture: "amd64".to_owned(),
            variant: None,
        }
    }
}

impl Platform {
    /// A platform as given, not normalised.
    pub fn new(os: &str, architecture: &str, variant: Option<&str>) -> Platform {
        Platform {
            os: os.to_owned(),
            architecture: architecture.to_owned(),
            variant: variant.map(str::to_owned),
        }
    }

    /// The platform an index entry declares.
    pub fn of(platform: &oci_spec::image::Platform) -> Platform {
        Platform {
            os: platform.os().to_string(),
            architecture: platform.architecture().to_string(),
            variant: platform.variant().clone().filter(|v| !v.is_empty()),
        }
    }

    /// Os, architecture and variant, with aliases resolved and default variants filled in.
    fn normalized(&self) -> (String, String, Option<String>) {
        let os = self.os.to_ascii_lowercase();
        let arch = self.architecture.to_ascii_lowercase();
        let variant = self.variant.as_ref().map(|v| v.to_ascii_lowercase());
        let (arch, variant) = match (arch.as_str(), variant) {
            ("i386" | "i686" | "x86", v) => ("386".to_owned(), v),
            ("x86_64" | "x86-64" | "amd64", v) => (
                "amd64".to_owned(),
                v.filter(|v| v != "v1").or(Some("v1".to_owned())),
            ),
            ("aarch64" | "arm64", v) => (
                "arm64".to_owned(),
                match v.as_deref() {
                    None | Some("8" | "v8") => Some("v8".to_owned()),
                    _ => v,
                },
            ),
            ("armhf", _) => ("arm".to_owned(), Some("v7".to_owned())),
            ("armel", _) => ("arm".to_owned(), Some("v6".to_owned())),
            ("arm", v) => (
                "arm".to_owned(),
                match v.as_deref() {
                    None | Some("7" | "v7") => Some("v7".to_owned()),
                    Some("6") => Some("v6".to_owned()),
                    Some("5") => Some("v5".to_owned()),
                    _ => v,
                },
            ),
            (_, v) => (arch, v),
        };
        (os, arch, variant)
    }

    /// How well `candidate` serves as this platform: `None` when it does not, otherwise a rank
    /// (0 best).
    pub fn rank(&self, candidate: &Platform) -> Option<usize> {
        let (os, arch, variant) = self.normalized();
        let (c_os, c_arch, c_variant) = candidate.normalized();
        if os != c_os || arch != c_arch {
            return None;
        }
        if variant == c_variant {
            return Some(0);
        }
        if arch == "arm" {
            let order = ["v8", "v7", "v6", "v5"];
            let want = order.iter().position(|v| Some(*v) == variant.as_deref());
            let have = order.iter().position(|v| Some(*v) == c_variant.as_deref());
            if let (Some(want), Some(have)) = (want, have) {
                if have > want {
                    return Some(have - want);
                }
            }
        }
        // A variant the user did not ask for still serves when nothing better is there.
        self.variant.is_none().then_some(10)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

impl FromStr for Platform {
    type Err = PlatformError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fail = || PlatformError {
            input: s.to_owned(),
        };
        let parts: Vec<&str> = s.split('/').collect();
        let ok = |p: &&str| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        };
        if !parts.iter().all(ok) {
            return Err(fail());
        }
        match parts.as_slice() {
            [os, arch] => Ok(Platform::new(os, arch, None)),
            [os, arch, variant] => Ok(Platform::new(os, arch, Some(variant))),
            _ => Err(fail()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Platform {
        match s.parse() {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn parses_and_prints() {
        assert_eq!(p("linux/amd64"), Platform::default());
        assert_eq!(p("linux/arm/v7").variant.as_deref(), Some("v7"));
        assert_eq!(p("linux/arm64/v8").to_string(), "linux/arm64/v8");
        for bad in ["", "linux", "linux/", "/amd64", "a/b/c/d", "linux/am d64"] {
            assert!(bad.parse::<Platform>().is_err(), "{bad}");
        }
    }

    #[test]
    fn ranks() {
        assert_eq!(p("linux/amd64").rank(&p("linux/amd64")), Some(0));
        assert_eq!(p("linux/amd64").rank(&p("linux/x86_64")), Some(0));
        assert_eq!(p("linux/amd64").rank(&p("linux/amd64/v1")), Some(0));
        assert_eq!(p("linux/amd64").rank(&p("linux/amd64/v3")), Some(10));
        assert_eq!(p("linux/amd64/v1").rank(&p("linux/amd64/v3")), None);
        assert_eq!(p("linux/amd64").rank(&p("linux/arm64")), None);
        assert_eq!(p("linux/amd64").rank(&p("windows/amd64")), None);
        assert_eq!(p("linux/arm64").rank(&p("linux/arm64/v8")), Some(0));
        assert_eq!(p("linux/aarch64").rank(&p("linux/arm64")), Some(0));
        assert_eq!(p("linux/arm").rank(&p("linux/arm/v7")), Some(0));
        assert_eq!(p("linux/arm/v7").rank(&p("linux/arm/v6")), Some(1));
        assert_eq!(p("linux/arm/v6").rank(&p("linux/arm/v7")), None);
        assert_eq!(p("linux/arm").rank(&p("linux/arm/v6")), Some(1));
        assert_eq!(p("linux/armhf").rank(&p("linux/arm/v7")), Some(0));
        assert_eq!(p("linux/386").rank(&p("linux/i386")), Some(0));
    }
}
