//! Language catalogers against the shared corpus: osv-scanner's and syft's lockfile and
//! manifest fixtures, and real applications' lockfiles.
//!
//! Expected packages were checked against the upstream tests that own these fixtures
//! (google/osv-scanner `pkg/lockfile/*_test.go` at the corpus commit, anchore/syft's
//! `syft/pkg/cataloger/*/parse_*_test.go`) and against the fixtures themselves. Each row lists
//! `name@version`, then ` (dev)`/` (optional)` for the `dependency.scope` property and
//! ` #<commit prefix>` for `vcs.commit`, sorted; and the number of soft errors. `None` means
//! the file must be refused with an error. Where Harrier deliberately differs from
//! osv-scanner, the row says what Harrier reports and why (see `DIFFERENCES`).

use harrier_image::Cataloger;
use harrier_image::catalog::{self, FileMeta};

/// Where Harrier differs from osv-scanner on these fixtures, on purpose.
///
/// - Names are kept as published (`zope.interface`, `Pillow`, `Twisted`); osv-scanner
///   normalises Python names (`zope-interface`, `pillow`). Lookup normalises instead.
/// - requirements.txt: only exact pins are packages. osv-scanner reports `flask` as `0.0.0`
///   and `keyring>=4.1.1` as `4.1.1`; Harrier reports neither. `-r` files are cataloged on
///   their own, not followed. `bar == 4.5\\` + `.6` joins to `4.5.6` as pip joins it (osv:
///   `4.5\\`).
/// - npm `devOptional` is `dev` (osv: `dev` and `optional`).
/// - go.mod versions keep their `v`; a module replaced by a local directory keeps its own path
///   with an empty version and `go.replace-dir` (osv reports the directory as the name).
/// - Packages listed several times with one name, version and commit are reported once.
/// - pnpm 9 lockfiles carry no dev flag; Harrier does not derive one from the importers.
#[allow(dead_code)]
const DIFFERENCES: () = ();

type Row = (
    &'static str,
    &'static str,
    Option<(&'static [&'static str], usize)>,
);

const OSV: &[Row] = &[
    (
        "npm-lock",
        "npm/alias.v1.json",
        Some((
            &[
                "@babel/code-frame@7.0.0",
                "string-width@4.2.0",
                "string-width@5.1.2",
            ],
            0,
        )),
    ),
    (
        "npm-lock",
        "npm/alias.v2.json",
        Some((
            &[
                "@babel/code-frame@7.0.0",
                "string-width@4.2.0",
                "string-width@5.1.2",
            ],
            0,
        )),
    ),
    (
        "npm-lock",
        "npm/commits.v1.json",
        Some((
            &[
                "@segment/analytics.js-integration-facebook-pixel@ #3b1bb80",
                "ansi-styles@1.0.0",
                "babel-preset-php@ #c5a7ba5",
                "is-number-1@ (dev) #af885e2",
                "is-number-1@ (dev) #be5935f",
                "is-number-2@ #82dcc8e",
                "is-number-2@ #d5ac058",
                "is-number-3@ (dev) #82ae880",
                "is-number-3@ (dev) #d5ac058",
                "is-number-4@ (dev) #af885e2",
                "is-number-5@ (dev) #af885e2",
                "is-number-6@ (dev) #af885e2",
                "postcss-calc@7.0.1",
                "raven-js@ #c2b377e",
                "slick-carousel@ (dev) #280b560",
            ],
            0,
        )),
    ),
    (
        "npm-lock",
        "npm/commits.v2.json",
        Some((
            &[
                "@segment/analytics.js-integration-facebook-pixel@2.4.1 #3b1bb80",
                "ansi-styles@1.0.0",
                "babel-preset-php@1.1.1 (dev) #c5a7ba5",
                "is-number-1@3.0.0 (dev) #af885e2",
                "is-number-1@3.0.0 (dev) #be5935f",
                "is-number-2@2.0.0 (dev) #82dcc8e",
                "is-number-2@2.0.0 (dev) #d5ac058",
                "is-number-3@2.0.0 (dev) #d5ac058",
                "is-number-3@3.0.0 (dev) #82ae880",
                "is-number-4@3.0.0 (dev) #af885e2",
                "is-number-5@3.0.0 (dev) #af885e2",
                "postcss-calc@7.0.1",
                "raven-js@ #c2b377e",
                "slick-carousel@1.7.1 (dev) #280b560",
            ],
            0,
        )),
    ),
    ("npm-lock", "npm/empty.v1.json", Some((&[], 0))),
    ("npm-lock", "npm/empty.v2.json", Some((&[], 0))),
    (
        "npm-lock",
        "npm/files.v1.json",
        Some((&["lodash@1.3.1"], 0)),
    ),
    (
        "npm-lock",
        "npm/files.v2.json",
        Some((
            &[
                "abbrev@1.0.9 (dev)",
                "abbrev@2.3.4 (dev)",
                "etag@1.8.0 (dev)",
            ],
            0,
        )),
    ),
    (
        "npm-lock",
        "npm/nested-dependencies-dup.v1.json",
        Some((
            &[
                "@vue/component-compiler-utils@2.6.0",
                "autoprefixer@9.5.1",
                "babel-code-frame@6.26.0",
                "css-declaration-sorter@4.0.1",
                "cssnano-preset-default@4.0.7",
                "cssnano-util-raw-cache@4.0.1",
                "cssnano@4.1.10",
                "friendly-errors-webpack-plugin@1.7.0",
                "postcss-calc@7.0.1",
                "postcss-colormin@4.0.3",
                "postcss-convert-values@4.0.1",
                "postcss-discard-comments@4.0.2",
                "postcss-discard-duplicates@4.0.2",
                "postcss-discard-empty@4.0.1",
                "postcss-discard-overridden@4.0.1",
                "postcss-loader@3.0.0",
                "postcss-merge-longhand@4.0.11",
                "postcss-merge-rules@4.0.3",
                "postcss-minify-font-values@4.0.2",
                "postcss-minify-gradients@4.0.2",
                "postcss-minify-params@4.0.2",
                "postcss-minify-selectors@4.0.2",
                "postcss-normalize-charset@4.0.1",
                "postcss-normalize-display-values@4.0.2",
                "postcss-normalize-positions@4.0.2",
                "postcss-normalize-repeat-style@4.0.2",
                "postcss-normalize-string@4.0.2",
                "postcss-normalize-timing-functions@4.0.2",
                "postcss-normalize-unicode@4.0.1",
                "postcss-normalize-url@4.0.1",
                "postcss-normalize-whitespace@4.0.2",
                "postcss-ordered-values@4.1.2",
                "postcss-reduce-initial@4.0.3",
                "postcss-reduce-transforms@4.0.2",
                "postcss-svgo@4.0.2",
                "postcss-unique-selectors@4.0.1",
                "supports-color@2.0.0",
                "supports-color@5.5.0",
                "supports-color@6.1.0",
            ],
            0,
        )),
    ),
    (
        "npm-lock",
        "npm/nested-dependencies-dup.v2.json",
        Some((&["supports-color@2.0.0", "supports-color@6.1.0"], 0)),
    ),
    (
        "npm-lock",
        "npm/nested-dependencies.v1.json",
        Some((
            &[
                "postcss-calc@7.0.1",
                "postcss@6.0.23",
                "postcss@7.0.16",
                "supports-color@5.5.0",
                "supports-color@6.1.0",
            ],
            0,
        )),
    ),
    (
        "npm-lock",
        "npm/nested-dependencies.v2.json",
        Some((
            &[
                "postcss-calc@7.0.1",
                "postcss@6.0.23",
                "postcss@7.0.16",
                "supports-color@5.5.0",
                "supports-color@6.1.0",
            ],
            0,
        )),
    ),
    ("npm-lock", "npm/not-json.txt", None),
    (
        "npm-lock",
        "npm/one-package-dev.v1.json",
        Some((&["wrappy@1.0.2 (dev)"], 0)),
    ),
    (
        "npm-lock",
        "npm/one-package-dev.v2.json",
        Some((&["wrappy@1.0.2 (dev)"], 0)),
    ),
    (
        "npm-lock",
        "npm/one-package.v1.json",
        Some((&["wrappy@1.0.2"], 0)),
    ),
    (
        "npm-lock",
        "npm/one-package.v2.json",
        Some((&["wrappy@1.0.2"], 0)),
    ),
    (
        "npm-lock",
        "npm/optional-package.v1.json",
        Some((
            &["supports-color@5.5.0 (optional)", "wrappy@1.0.2 (dev)"],
            0,
        )),
    ),
    (
        "npm-lock",
        "npm/optional-package.v2.json",
        Some((
            &["supports-color@5.5.0 (dev)", "wrappy@1.0.2 (optional)"],
            0,
        )),
    ),
    (
        "npm-lock",
        "npm/same-package-different-groups.v1.json",
        Some((&["ajv@5.5.2", "eslint@1.2.3 (dev)", "table@1.0.0"], 0)),
    ),
    (
        "npm-lock",
        "npm/same-package-different-groups.v2.json",
        Some((&["ajv@5.5.2", "eslint@1.2.3 (dev)", "table@1.0.0"], 0)),
    ),
    (
        "npm-lock",
        "npm/scoped-packages.v1.json",
        Some((&["@babel/code-frame@7.0.0", "wrappy@1.0.2"], 0)),
    ),
    (
        "npm-lock",
        "npm/scoped-packages.v2.json",
        Some((&["@babel/code-frame@7.0.0", "wrappy@1.0.2"], 0)),
    ),
    (
        "npm-lock",
        "npm/two-packages.v1.json",
        Some((&["supports-color@5.5.0", "wrappy@1.0.2"], 0)),
    ),
    (
        "npm-lock",
        "npm/two-packages.v2.json",
        Some((&["supports-color@5.5.0", "wrappy@1.0.2"], 0)),
    ),
    (
        "yarn-lock",
        "yarn/commits.v1.lock",
        Some((
            &[
                "@bower_components/alertify@0.0.0 #e7b6c46",
                "@bower_components/angular-animate@1.4.14 #e7f778f",
                "babel-preset-php@1.1.1 #c5a7ba5",
                "bats-assert@2.0.0 #4bdd58d",
                "bats-support@0.3.0 #d140a65",
                "bats@1.5.0 #172580d",
                "casadistance@1.0.0 #f030839",
                "is-number@2.0.0 #d5ac058",
                "is-number@5.0.0 #af885e2",
                "kit@1.0.0 #5b6830c",
                "mine1@1.0.0-alpha.37 #0a2d250",
                "mine2@0.0.1 #0a2d250",
                "mine3@1.2.3 #094e581",
                "mine4@0.0.2 #aa3bdfc",
                "mine4@0.0.4 #aa3bdfc",
                "minimist@0.0.8 #3754568",
                "my-package@1.8.3 #b3bd3f1",
                "vue@2.6.12 #bb253db",
            ],
            0,
        )),
    ),
    (
        "yarn-lock",
        "yarn/commits.v2.lock",
        Some((
            &[
                "@my-scope/my-first-package@0.0.6 #0b824c6",
                "@typegoose/typegoose@7.2.0 #3ed06e5",
                "is-really-great@1.0.0 #191eeef",
                "my-node-sdk@1.1.0 #053dea9",
                "my-second-package@0.2.2 #59e2127",
                "my-third-package@0.16.1-dev #5675a0a",
                "vuejs@2.5.0 #0948d99",
            ],
            0,
        )),
    ),
    ("yarn-lock", "yarn/empty.v1.lock", Some((&[], 0))),
    ("yarn-lock", "yarn/empty.v2.lock", Some((&[], 0))),
    (
        "yarn-lock",
        "yarn/files.v1.lock",
        Some((
            &[
                "etag@1.8.0",
                "etag@1.8.1",
                "filedep@1.2.0",
                "lodash@1.3.1",
                "other_package@0.0.2",
                "sprintf-js@0.0.0",
            ],
            0,
        )),
    ),
    (
        "yarn-lock",
        "yarn/files.v2.lock",
        Some((&["my-package@0.0.2"], 0)),
    ),
    ("yarn-lock", "yarn/metadata-only.v2.lock", Some((&[], 0))),
    (
        "yarn-lock",
        "yarn/multiple-constraints.v1.lock",
        Some((&["@babel/code-frame@7.12.13", "domelementtype@1.3.1"], 0)),
    ),
    (
        "yarn-lock",
        "yarn/multiple-versions.v1.lock",
        Some((
            &[
                "define-properties@1.1.3",
                "define-property@0.2.5",
                "define-property@1.0.0",
                "define-property@2.0.2",
            ],
            0,
        )),
    ),
    (
        "yarn-lock",
        "yarn/multiple-versions.v2.lock",
        Some((&["debug@2.6.9", "debug@3.2.7", "debug@4.3.3"], 0)),
    ),
    (
        "yarn-lock",
        "yarn/one-package.v1.lock",
        Some((&["balanced-match@1.0.2"], 0)),
    ),
    (
        "yarn-lock",
        "yarn/one-package.v2.lock",
        Some((&["balanced-match@1.0.2"], 0)),
    ),
    (
        "yarn-lock",
        "yarn/scoped-packages.v1.lock",
        Some((
            &["@babel/code-frame@7.12.11", "@babel/compat-data@7.14.0"],
            0,
        )),
    ),
    (
        "yarn-lock",
        "yarn/scoped-packages.v2.lock",
        Some((
            &[
                "@babel/cli@7.16.8",
                "@babel/code-frame@7.16.7",
                "@babel/compat-data@7.16.8",
            ],
            0,
        )),
    ),
    (
        "yarn-lock",
        "yarn/two-packages.v1.lock",
        Some((&["concat-map@0.0.1", "concat-stream@1.6.2"], 0)),
    ),
    (
        "yarn-lock",
        "yarn/two-packages.v2.lock",
        Some((&["compare-func@2.0.0", "concat-map@0.0.1"], 0)),
    ),
    (
        "yarn-lock",
        "yarn/with-aliases.v1.lock",
        Some((
            &[
                "@babel/helper-validator-identifier@7.22.20",
                "ansi-regex@5.0.1",
                "ansi-regex@6.0.1",
            ],
            0,
        )),
    ),
    (
        "yarn-lock",
        "yarn/with-aliases.v2.lock",
        Some((
            &[
                "@babel/helper-validator-identifier@7.22.20",
                "ansi-regex@5.0.1",
                "ansi-regex@6.0.1",
            ],
            0,
        )),
    ),
    (
        "yarn-lock",
        "yarn/with-build-string.v1.lock",
        Some((&["domino@2.1.6+git", "tslib@2.6.2"], 0)),
    ),
    (
        "yarn-lock",
        "yarn/with-build-string.v2.lock",
        Some((&["domino@2.1.6+git #f2435fe", "tslib@2.6.2"], 0)),
    ),
    (
        "yarn-lock",
        "yarn/with-prerelease.v1.lock",
        Some((
            &[
                "css-tree@1.0.0-alpha.37",
                "gensync@1.0.0-beta.2",
                "node-fetch@3.0.0-beta.9",
                "resolve@1.20.0",
                "resolve@2.0.0-next.3",
            ],
            0,
        )),
    ),
    (
        "yarn-lock",
        "yarn/with-prerelease.v2.lock",
        Some((
            &[
                "@nicolo-ribaudo/chokidar-2@2.1.8-no-fsevents.3",
                "gensync@1.0.0-beta.2",
            ],
            0,
        )),
    ),
    (
        "yarn-lock",
        "yarn/with-quotes.v1.lock",
        Some((&["concat-map@0.0.1", "concat-stream@1.6.2"], 0)),
    ),
    (
        "yarn-lock",
        "yarn/with-quotes.v2.lock",
        Some((&["compare-func@2.0.0", "concat-map@0.0.1"], 0)),
    ),
    (
        "pnpm-lock",
        "pnpm/commits.v9.yaml",
        Some((
            &["ansi-regex@6.0.1 #02fa893", "is-number@7.0.0 #98e8ff1"],
            0,
        )),
    ),
    (
        "pnpm-lock",
        "pnpm/commits.yaml",
        Some((
            &[
                "@my-scope/my-other-package@1.0.0 #fbfc962",
                "@my-scope/my-package@1.0.0 #2670878",
                "faker-parser@0.0.1 #d2dc42a",
                "mocks@20.0.1 #590f321",
                "my-bitbucket-package@1.0.0 #6104ae4",
            ],
            0,
        )),
    ),
    ("pnpm-lock", "pnpm/empty.yaml", Some((&[], 0))),
    (
        "pnpm-lock",
        "pnpm/exotic.yaml",
        Some((
            &[
                "@foo/bar@1.0.0",
                "@foo/bar@1.1.0",
                "foo@1.0.0",
                "foo@1.1.0",
                "foo@1.2.0",
                "foo@1.3.0",
                "foo@1.4.0",
            ],
            0,
        )),
    ),
    (
        "pnpm-lock",
        "pnpm/files.yaml",
        Some((
            &[
                "a-local-package@1.0.0",
                "a-nested-local-package@1.0.0",
                "my-file-package@0.0.0",
                "one-up-with-peer@1.0.0",
                "one-up@1.0.0",
            ],
            0,
        )),
    ),
    (
        "pnpm-lock",
        "pnpm/invalid-package-path.yaml",
        Some((
            &[
                "@babel/helper-string-parser@7.19.4",
                "@babel/helper-validator-identifier@7.19.1",
                "@babel/parser@7.20.7",
                "@types/jsdom@20.0.1 (dev)",
                "axios@1.2.5",
                "http-proxy-agent@5.0.0 (dev)",
                "pinia@2.0.28",
                "stream@0.0.2",
                "typescript@4.7.4",
            ],
            0,
        )),
    ),
    (
        "pnpm-lock",
        "pnpm/mixed-groups.v53.yaml",
        Some((
            &[
                "ansi-regex@5.0.1",
                "is-number@7.0.0 (dev)",
                "uuid@8.3.2 (optional)",
            ],
            0,
        )),
    ),
    (
        "pnpm-lock",
        "pnpm/mixed-groups.v54.yaml",
        Some((
            &[
                "ansi-regex@5.0.1",
                "is-number@7.0.0 (dev)",
                "uuid@8.3.2 (optional)",
            ],
            0,
        )),
    ),
    (
        "pnpm-lock",
        "pnpm/mixed-groups.v6.yaml",
        Some((
            &[
                "ansi-regex@5.0.0",
                "is-number@7.0.0 (dev)",
                "uuid@8.0.0 (optional)",
            ],
            0,
        )),
    ),
    (
        "pnpm-lock",
        "pnpm/mixed-groups.v9.yaml",
        Some((&["ansi-regex@5.0.1", "is-number@7.0.0", "uuid@8.3.2"], 0)),
    ),
    (
        "pnpm-lock",
        "pnpm/multiple-packages.yaml",
        Some((
            &[
                "aws-sdk@2.1087.0",
                "base64-js@1.5.1",
                "buffer@4.9.2",
                "events@1.1.1",
                "ieee754@1.1.13",
                "isarray@1.0.0",
                "jmespath@0.16.0",
                "punycode@1.3.2",
                "querystring@0.2.0",
                "sax@1.2.1",
                "url@0.10.3",
                "uuid@3.3.2",
                "xml2js@0.4.19",
                "xmlbuilder@9.0.7",
            ],
            0,
        )),
    ),
    (
        "pnpm-lock",
        "pnpm/multiple-versions.v9.yaml",
        Some((&["uuid@8.0.0", "uuid@8.3.2", "xmlbuilder@11.0.1"], 0)),
    ),
    (
        "pnpm-lock",
        "pnpm/multiple-versions.yaml",
        Some((&["uuid@3.3.2", "uuid@8.3.2", "xmlbuilder@9.0.7"], 0)),
    ),
    ("pnpm-lock", "pnpm/no-packages.v9.yaml", Some((&[], 0))),
    ("pnpm-lock", "pnpm/no-packages.yaml", Some((&[], 0))),
    ("pnpm-lock", "pnpm/not-yaml.txt", None),
    (
        "pnpm-lock",
        "pnpm/one-package-dev.v9.yaml",
        Some((&["acorn@8.11.3"], 0)),
    ),
    (
        "pnpm-lock",
        "pnpm/one-package-dev.yaml",
        Some((&["acorn@8.7.0"], 0)),
    ),
    (
        "pnpm-lock",
        "pnpm/one-package-v6-lockfile.yaml",
        Some((&["acorn@8.7.0"], 0)),
    ),
    (
        "pnpm-lock",
        "pnpm/one-package.v9.yaml",
        Some((&["acorn@8.11.3"], 0)),
    ),
    (
        "pnpm-lock",
        "pnpm/one-package.yaml",
        Some((&["acorn@8.7.0"], 0)),
    ),
    (
        "pnpm-lock",
        "pnpm/peer-dependencies-advanced.v9.yaml",
        Some((
            &[
                "@eslint-community/eslint-utils@4.4.0",
                "@eslint/eslintrc@2.1.4",
                "@typescript-eslint/eslint-plugin@5.62.0",
                "@typescript-eslint/parser@5.62.0",
                "@typescript-eslint/type-utils@5.62.0",
                "@typescript-eslint/typescript-estree@5.62.0",
                "@typescript-eslint/utils@5.62.0",
                "debug@4.3.4",
                "eslint@8.57.0",
                "has-flag@4.0.0",
                "supports-color@7.2.0",
                "tsutils@3.21.0",
                "typescript@4.9.5",
            ],
            0,
        )),
    ),
    (
        "pnpm-lock",
        "pnpm/peer-dependencies-advanced.yaml",
        Some((
            &[
                "@typescript-eslint/eslint-plugin@5.13.0",
                "@typescript-eslint/parser@5.13.0",
                "@typescript-eslint/type-utils@5.13.0",
                "@typescript-eslint/types@5.13.0",
                "@typescript-eslint/typescript-estree@5.13.0",
                "@typescript-eslint/utils@5.13.0",
                "eslint-utils@3.0.0",
                "eslint@8.10.0",
                "tsutils@3.21.0",
            ],
            0,
        )),
    ),
    (
        "pnpm-lock",
        "pnpm/peer-dependencies.v9.yaml",
        Some((&["acorn-jsx@5.3.2", "acorn@8.11.3"], 0)),
    ),
    (
        "pnpm-lock",
        "pnpm/peer-dependencies.yaml",
        Some((&["acorn-jsx@5.3.2", "acorn@8.7.0"], 0)),
    ),
    (
        "pnpm-lock",
        "pnpm/scoped-packages-v6-lockfile.yaml",
        Some((&["@typescript-eslint/types@5.57.1"], 0)),
    ),
    (
        "pnpm-lock",
        "pnpm/scoped-packages.v9.yaml",
        Some((&["@typescript-eslint/types@5.62.0"], 0)),
    ),
    (
        "pnpm-lock",
        "pnpm/scoped-packages.yaml",
        Some((&["@typescript-eslint/types@5.13.0"], 0)),
    ),
    (
        "pnpm-lock",
        "pnpm/tarball.yaml",
        Some((&["@my-org/my-package@3.2.3 (dev)"], 0)),
    ),
    (
        "python-requirements",
        "pip/cyclic-r-complex-1.txt",
        Some((&["cyclic-r-complex@1"], 0)),
    ),
    (
        "python-requirements",
        "pip/cyclic-r-complex-2.txt",
        Some((&["cyclic-r-complex@2"], 0)),
    ),
    (
        "python-requirements",
        "pip/cyclic-r-complex-3.txt",
        Some((&["cyclic-r-complex@3"], 0)),
    ),
    (
        "python-requirements",
        "pip/cyclic-r-self.txt",
        Some((&["pandas@0.23.4", "requests@1.2.3"], 0)),
    ),
    (
        "python-requirements",
        "pip/duplicate-r-base.txt",
        Some((&["django@0.1.0"], 0)),
    ),
    (
        "python-requirements",
        "pip/duplicate-r-dev.txt",
        Some((&["pandas@0.23.4", "requests@1.2.3"], 0)),
    ),
    (
        "python-requirements",
        "pip/duplicate-r-test.txt",
        Some((&["requests@1.2.3", "unittest@1.0.0"], 0)),
    ),
    ("python-requirements", "pip/empty.txt", Some((&[], 0))),
    (
        "python-requirements",
        "pip/file-format-example.txt",
        Some((&["docopt@0.6.1"], 0)),
    ),
    (
        "python-requirements",
        "pip/line-continuation.txt",
        Some((&["bar@4.5.6", "baz@7.8.9", "foo@1.2.3", "qux@10.11.12"], 0)),
    ),
    (
        "python-requirements",
        "pip/multiple-packages-constrained.txt",
        Some((
            &[
                "astroid@2.5.1",
                "beautifulsoup4@4.9.3",
                "boto3@1.17.19",
                "botocore@1.20.19",
                "certifi@2020.12.5",
                "chardet@4.0.0",
                "circus@0.17.1",
                "click@7.1.2",
                "django-debug-toolbar@3.2.1",
                "django-filter@2.4.0",
                "django-nose@1.4.7",
                "django-storages@1.11.1",
                "django@2.2.24",
            ],
            0,
        )),
    ),
    (
        "python-requirements",
        "pip/multiple-packages-mixed.txt",
        Some((&["numpy@1.16.0", "pandas@0.23.4", "scikit-learn@0.20.1"], 0)),
    ),
    (
        "python-requirements",
        "pip/non-normalized-names.txt",
        Some((
            &["Pillow@1.0.0", "Twisted@20.3.0", "zope.interface@5.4.0"],
            0,
        )),
    ),
    (
        "python-requirements",
        "pip/one-package-constrained.txt",
        Some((&["django@2.2.24"], 0)),
    ),
    (
        "python-requirements",
        "pip/one-package-unconstrained.txt",
        Some((&[], 0)),
    ),
    (
        "python-requirements",
        "pip/only-comments.txt",
        Some((&[], 0)),
    ),
    (
        "python-requirements",
        "pip/other-file.txt",
        Some((&["django@2.2.24"], 0)),
    ),
    (
        "python-requirements",
        "pip/with-added-support.txt",
        Some((&["twisted@20.3.0"], 0)),
    ),
    (
        "python-requirements",
        "pip/with-bad-r-option.txt",
        Some((&["requests@1.2.3"], 0)),
    ),
    (
        "python-requirements",
        "pip/with-multiple-r-options.txt",
        Some((&["pandas@0.23.4", "requests@1.2.3"], 0)),
    ),
    (
        "python-requirements",
        "pip/with-per-requirement-options.txt",
        Some((&["FooProject@1.2", "boto3@1.26.121", "foo@1.0.0"], 0)),
    ),
    ("python-pipfile-lock", "pipenv/empty.json", Some((&[], 0))),
    (
        "python-pipfile-lock",
        "pipenv/multiple-packages.json",
        Some((
            &[
                "itsdangerous@2.1.2",
                "markupsafe@2.1.1",
                "pluggy@1.0.0 (dev)",
                "pluggy@1.0.1",
            ],
            0,
        )),
    ),
    (
        "python-pipfile-lock",
        "pipenv/no-version.json",
        Some((&[], 0)),
    ),
    ("python-pipfile-lock", "pipenv/not-json.txt", None),
    (
        "python-pipfile-lock",
        "pipenv/one-package-dev.json",
        Some((&["markupsafe@2.1.1 (dev)"], 0)),
    ),
    (
        "python-pipfile-lock",
        "pipenv/one-package.json",
        Some((&["markupsafe@2.1.1"], 0)),
    ),
    (
        "python-pipfile-lock",
        "pipenv/two-packages-alt.json",
        Some((&["itsdangerous@2.1.2", "markupsafe@2.1.1"], 0)),
    ),
    (
        "python-pipfile-lock",
        "pipenv/two-packages.json",
        Some((&["itsdangerous@2.1.2", "markupsafe@2.1.1 (dev)"], 0)),
    ),
    ("python-poetry-lock", "poetry/empty.lock", Some((&[], 0))),
    ("python-poetry-lock", "poetry/not-toml.txt", None),
    (
        "python-poetry-lock",
        "poetry/one-package-with-metadata.lock",
        Some((&["emoji@2.0.0"], 0)),
    ),
    (
        "python-poetry-lock",
        "poetry/one-package.lock",
        Some((&["numpy@1.23.3"], 0)),
    ),
    (
        "python-poetry-lock",
        "poetry/optional-package.lock",
        Some((&["numpy@1.23.3 (optional)"], 0)),
    ),
    (
        "python-poetry-lock",
        "poetry/source-git.lock",
        Some((&["ike@0.2.0 #cd66602"], 0)),
    ),
    (
        "python-poetry-lock",
        "poetry/source-legacy.lock",
        Some((&["appdirs@1.4.4"], 0)),
    ),
    (
        "python-poetry-lock",
        "poetry/two-packages.lock",
        Some((&["proto-plus@1.22.0", "protobuf@4.21.5"], 0)),
    ),
    (
        "python-pdm-lock",
        "pdm/dev-dependency.toml",
        Some((
            &[
                "pyroute2@0.7.11 (dev)",
                "toml@0.10.2",
                "win-inet-pton@1.1.0 (dev)",
            ],
            0,
        )),
    ),
    ("python-pdm-lock", "pdm/empty.toml", Some((&[], 0))),
    (
        "python-pdm-lock",
        "pdm/git-dependency.toml",
        Some((&["toml@0.10.2 #65bab75"], 0)),
    ),
    ("python-pdm-lock", "pdm/not-toml.txt", None),
    (
        "python-pdm-lock",
        "pdm/optional-dependency.toml",
        Some((
            &[
                "pyroute2@0.7.11 (optional)",
                "toml@0.10.2",
                "win-inet-pton@1.1.0 (optional)",
            ],
            0,
        )),
    ),
    (
        "python-pdm-lock",
        "pdm/single-package.toml",
        Some((&["toml@0.10.2"], 0)),
    ),
    (
        "python-pdm-lock",
        "pdm/two-packages.toml",
        Some((&["six@1.16.0", "toml@0.10.2"], 0)),
    ),
    ("php-composer-lock", "composer/empty.json", Some((&[], 0))),
    ("php-composer-lock", "composer/not-json.txt", None),
    (
        "php-composer-lock",
        "composer/one-package-dev.json",
        Some((&["sentry/sdk@2.0.4 (dev) #4c11587"], 0)),
    ),
    (
        "php-composer-lock",
        "composer/one-package.json",
        Some((&["sentry/sdk@2.0.4 #4c11587"], 0)),
    ),
    (
        "php-composer-lock",
        "composer/two-packages-alt.json",
        Some((
            &[
                "sentry/sdk@2.0.4 #4c11587",
                "theseer/tokenizer@1.1.3 #11336f6",
            ],
            0,
        )),
    ),
    (
        "php-composer-lock",
        "composer/two-packages.json",
        Some((
            &[
                "sentry/sdk@2.0.4 #4c11587",
                "theseer/tokenizer@1.1.3 (dev) #11336f6",
            ],
            0,
        )),
    ),
    (
        "ruby-gemfile-lock",
        "bundler/has-git-gem.lock",
        Some((
            &[
                "concurrent-ruby@1.1.7",
                "hanami-controller@2.0.0.alpha1 #027dbe2",
                "hanami-utils@2.0.0.alpha1 #5904fc9",
                "rack@2.2.3",
                "transproc@1.1.1",
            ],
            0,
        )),
    ),
    (
        "ruby-gemfile-lock",
        "bundler/has-local-gem.lock",
        Some((
            &[
                "actionpack@7.0.2.2",
                "actionview@7.0.2.2",
                "activesupport@7.0.2.2",
                "backbone-on-rails@1.2.0.0",
                "builder@3.2.4",
                "coffee-script-source@1.12.2",
                "coffee-script@2.4.1",
                "concurrent-ruby@1.1.9",
                "crass@1.0.6",
                "eco-source@1.1.0.rc.1",
                "eco@1.0.0",
                "ejs@1.1.1",
                "erubi@1.10.0",
                "execjs@2.8.1",
                "i18n@1.10.0",
                "jquery-rails@4.4.0",
                "loofah@2.14.0",
                "method_source@1.0.0",
                "minitest@5.15.0",
                "nokogiri@1.13.3",
                "racc@1.6.0",
                "rack-test@1.1.0",
                "rack@2.2.3",
                "rails-dom-testing@2.0.3",
                "rails-html-sanitizer@1.4.2",
                "railties@7.0.2.2",
                "rake@13.0.6",
                "thor@1.2.1",
                "tzinfo@2.0.4",
                "zeitwerk@2.5.4",
            ],
            0,
        )),
    ),
    (
        "ruby-gemfile-lock",
        "bundler/multiple-gems.lock",
        Some((
            &[
                "bundler-audit@0.9.0.1",
                "coderay@1.1.3",
                "dotenv@2.7.6",
                "method_source@1.0.0",
                "pry@0.14.1",
                "thor@1.2.1",
            ],
            0,
        )),
    ),
    (
        "ruby-gemfile-lock",
        "bundler/no-gem-section.lock",
        Some((&[], 0)),
    ),
    ("ruby-gemfile-lock", "bundler/no-gems.lock", Some((&[], 0))),
    (
        "ruby-gemfile-lock",
        "bundler/no-spec-section.lock",
        Some((&[], 0)),
    ),
    (
        "ruby-gemfile-lock",
        "bundler/one-gem.lock",
        Some((&["ast@2.4.2"], 0)),
    ),
    (
        "ruby-gemfile-lock",
        "bundler/rails.lock",
        Some((
            &[
                "actioncable@7.0.2.2",
                "actionmailbox@7.0.2.2",
                "actionmailer@7.0.2.2",
                "actionpack@7.0.2.2",
                "actiontext@7.0.2.2",
                "actionview@7.0.2.2",
                "activejob@7.0.2.2",
                "activemodel@7.0.2.2",
                "activerecord@7.0.2.2",
                "activestorage@7.0.2.2",
                "activesupport@7.0.2.2",
                "builder@3.2.4",
                "concurrent-ruby@1.1.9",
                "crass@1.0.6",
                "digest@3.1.0",
                "erubi@1.10.0",
                "globalid@1.0.0",
                "i18n@1.10.0",
                "io-wait@0.2.1",
                "loofah@2.14.0",
                "mail@2.7.1",
                "marcel@1.0.2",
                "method_source@1.0.0",
                "mini_mime@1.1.2",
                "minitest@5.15.0",
                "net-imap@0.2.3",
                "net-pop@0.1.1",
                "net-protocol@0.1.2",
                "net-smtp@0.3.1",
                "nio4r@2.5.8",
                "nokogiri@1.13.3",
                "racc@1.6.0",
                "rack-test@1.1.0",
                "rack@2.2.3",
                "rails-dom-testing@2.0.3",
                "rails-html-sanitizer@1.4.2",
                "rails@7.0.2.2",
                "railties@7.0.2.2",
                "rake@13.0.6",
                "strscan@3.0.1",
                "thor@1.2.1",
                "timeout@0.2.0",
                "tzinfo@2.0.4",
                "websocket-driver@0.7.5",
                "websocket-extensions@0.1.5",
                "zeitwerk@2.5.4",
            ],
            0,
        )),
    ),
    (
        "ruby-gemfile-lock",
        "bundler/rubocop.lock",
        Some((
            &[
                "ast@2.4.2",
                "parallel@1.21.0",
                "parser@3.1.1.0",
                "rainbow@3.1.1",
                "regexp_parser@2.2.1",
                "rexml@3.2.5",
                "rubocop-ast@1.16.0",
                "rubocop@1.25.1",
                "ruby-progressbar@1.11.0",
                "unicode-display_width@2.1.0",
            ],
            0,
        )),
    ),
    (
        "ruby-gemfile-lock",
        "bundler/some-gems.lock",
        Some((&["coderay@1.1.3", "method_source@1.0.0", "pry@0.14.1"], 0)),
    ),
    ("go-mod", "go/empty.mod", Some((&[], 0))),
    (
        "go-mod",
        "go/indirect-packages.mod",
        Some((
            &[
                "github.com/BurntSushi/toml@v1.0.0",
                "github.com/mattn/go-colorable@v0.1.9",
                "github.com/mattn/go-isatty@v0.0.14",
                "golang.org/x/sys@v0.0.0-20210630005230-0f9fa26af87c",
                "gopkg.in/yaml.v2@v2.4.0",
            ],
            0,
        )),
    ),
    ("go-mod", "go/not-go-mod.txt", Some((&[], 1))),
    (
        "go-mod",
        "go/one-package.mod",
        Some((&["github.com/BurntSushi/toml@v1.0.0"], 0)),
    ),
    (
        "go-mod",
        "go/replace-different.mod",
        Some((
            &["example.com/fork/foe@v1.4.2", "example.com/fork/foe@v1.4.5"],
            0,
        )),
    ),
    (
        "go-mod",
        "go/replace-local.mod",
        Some((
            &["github.com/BurntSushi/toml@v1.0.0", "golang.org/x/net@"],
            0,
        )),
    ),
    (
        "go-mod",
        "go/replace-mixed.mod",
        Some((
            &["example.com/fork/net@v1.4.5", "golang.org/x/net@v0.5.6"],
            0,
        )),
    ),
    (
        "go-mod",
        "go/replace-no-version.mod",
        Some((&["example.com/fork/net@v1.4.5"], 0)),
    ),
    (
        "go-mod",
        "go/replace-not-required.mod",
        Some((
            &[
                "github.com/BurntSushi/toml@v1.0.0",
                "golang.org/x/net@v0.5.6",
            ],
            0,
        )),
    ),
    (
        "go-mod",
        "go/replace-one.mod",
        Some((&["example.com/fork/net@v1.4.5"], 0)),
    ),
    (
        "go-mod",
        "go/two-packages.mod",
        Some((
            &[
                "github.com/BurntSushi/toml@v1.0.0",
                "gopkg.in/yaml.v2@v2.4.0",
            ],
            0,
        )),
    ),
    ("rust-cargo-lock", "cargo/empty.lock", Some((&[], 0))),
    ("rust-cargo-lock", "cargo/not-toml.txt", None),
    (
        "rust-cargo-lock",
        "cargo/one-package.lock",
        Some((&["addr2line@0.15.2"], 0)),
    ),
    (
        "rust-cargo-lock",
        "cargo/package-with-build-string.lock",
        Some((&["wasi@0.10.2+wasi-snapshot-preview1"], 0)),
    ),
    (
        "rust-cargo-lock",
        "cargo/two-packages-with-local.lock",
        Some((&["addr2line@0.15.2", "local-rust-pkg@0.1.0"], 0)),
    ),
    (
        "rust-cargo-lock",
        "cargo/two-packages.lock",
        Some((&["addr2line@0.15.2", "syn@1.0.73"], 0)),
    ),
];

const SYFT: &[Row] = &[
    ("go-mod", "golang/testdata/archs/src/go.mod", Some((&[], 0))),
    ("go-mod", "golang/testdata/corrupt/go.mod", Some((&[], 5))),
    (
        "go-mod",
        "golang/testdata/go-mod-fixtures/many-packages/go.mod",
        Some((
            &[
                "github.com/adrg/xdg@v0.2.1",
                "github.com/anchore/archiver/v3@v3.5.2",
                "github.com/anchore/go-testutils@v0.0.0-20200624184116-66aa578126db",
                "github.com/anchore/go-version@v1.2.2-0.20200701162849-18adb9c92b9b",
                "github.com/anchore/stereoscope@v0.0.0-20200706164556-7cf39d7f4639",
                "github.com/bmatcuk/doublestar@v8.8.8",
                "github.com/go-test/deep@v1.0.6",
            ],
            0,
        )),
    ),
    (
        "go-mod",
        "golang/testdata/go-mod-fixtures/one-package/go.mod",
        Some((&["github.com/bmatcuk/doublestar@v1.3.1"], 0)),
    ),
    (
        "go-mod",
        "golang/testdata/go-mod-fixtures/relative-replace/go.mod",
        Some((&["github.com/aws/aws-sdk-go-v2@"], 0)),
    ),
    (
        "go-mod",
        "golang/testdata/go-source-replacements/go.mod",
        Some((
            &[
                "golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c",
                "rsc.io/quote@v1.5.2",
                "rsc.io/sampler@v1.3.1",
            ],
            0,
        )),
    ),
    (
        "go-mod",
        "golang/testdata/go-sum-hashes/go.mod",
        Some((
            &[
                "github.com/CycloneDX/cyclonedx-go@v0.6.0",
                "github.com/acarl005/stripansi@v0.0.0-20180116102854-5a71ef0e047d",
                "github.com/mgutz/ansi@v0.0.0-20200706080929-d51e80ef957d",
            ],
            0,
        )),
    ),
    (
        "go-mod",
        "golang/testdata/image-not-a-module/go.mod",
        Some((
            &[
                "github.com/anchore/archiver/v3@v3.5.3-0.20241210171143-5b1d8d1c7c51",
                "github.com/andybalholm/brotli@v1.1.1",
                "github.com/dsnet/compress@v0.0.2-0.20210315054119-f66993602bf5",
                "github.com/golang/snappy@v0.0.4",
                "github.com/klauspost/compress@v1.17.11",
                "github.com/klauspost/pgzip@v1.2.6",
                "github.com/nwaples/rardecode@v1.1.3",
                "github.com/pierrec/lz4/v4@v4.1.21",
                "github.com/ulikunitz/xz@v0.5.12",
                "github.com/xi2/xz@v0.0.0-20171230120015-48954b6210f8",
            ],
            0,
        )),
    ),
    (
        "go-mod",
        "golang/testdata/image-small-upx/go.mod",
        Some((
            &[
                "github.com/anchore/archiver/v3@v3.5.3-0.20241210171143-5b1d8d1c7c51",
                "github.com/andybalholm/brotli@v1.1.1",
                "github.com/dsnet/compress@v0.0.2-0.20210315054119-f66993602bf5",
                "github.com/golang/snappy@v0.0.4",
                "github.com/klauspost/compress@v1.17.11",
                "github.com/klauspost/pgzip@v1.2.6",
                "github.com/nwaples/rardecode@v1.1.3",
                "github.com/pierrec/lz4/v4@v4.1.21",
                "github.com/ulikunitz/xz@v0.5.12",
                "github.com/xi2/xz@v0.0.0-20171230120015-48954b6210f8",
            ],
            0,
        )),
    ),
    (
        "go-mod",
        "golang/testdata/image-small/go.mod",
        Some((
            &[
                "github.com/anchore/archiver/v3@v3.5.3-0.20241210171143-5b1d8d1c7c51",
                "github.com/andybalholm/brotli@v1.1.1",
                "github.com/dsnet/compress@v0.0.2-0.20210315054119-f66993602bf5",
                "github.com/golang/snappy@v0.0.4",
                "github.com/klauspost/compress@v1.17.11",
                "github.com/klauspost/pgzip@v1.2.6",
                "github.com/nwaples/rardecode@v1.1.3",
                "github.com/pierrec/lz4/v4@v4.1.21",
                "github.com/ulikunitz/xz@v0.5.12",
                "github.com/xi2/xz@v0.0.0-20171230120015-48954b6210f8",
            ],
            0,
        )),
    ),
    (
        "npm-lock",
        "javascript/testdata/corrupt/package-lock.json",
        None,
    ),
    (
        "pnpm-lock",
        "javascript/testdata/corrupt/pnpm-lock.yaml",
        None,
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-json/package-all-author-fields.json",
        Some((&["npm@6.14.6"], 0)),
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-json/package-author-non-standard.json",
        Some((&["npm@6.14.6"], 0)),
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-json/package-authors-array.json",
        Some((&["npm@6.14.6"], 0)),
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-json/package-authors-objects.json",
        Some((&["npm@6.14.6"], 0)),
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-json/package-authors-string.json",
        Some((&["npm@6.14.6"], 0)),
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-json/package-both-author-and-authors.json",
        Some((&["npm@6.14.6"], 0)),
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-json/package-contributors-string.json",
        Some((&["ghost@5.98.1"], 0)),
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-json/package-contributors.json",
        Some((&["npm@6.14.6"], 0)),
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-json/package-license-object.json",
        Some((&["npm@6.14.6"], 0)),
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-json/package-license-objects.json",
        Some((&["npm@6.14.6"], 0)),
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-json/package-maintainers-object.json",
        Some((&["npm@6.14.6"], 0)),
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-json/package-maintainers.json",
        Some((&["npm@6.14.6"], 0)),
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-json/package-malformed-license.json",
        Some((&["npm@6.14.6"], 0)),
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-json/package-nested-author.json",
        Some((&["npm@6.14.6"], 0)),
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-json/package-no-license.json",
        Some((&["npm@6.14.6"], 0)),
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-json/package-partial.json",
        Some((&[], 0)),
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-json/package-private.json",
        Some((&["npm@6.14.6"], 0)),
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-json/package-repo-string.json",
        Some((&["function-bind@1.1.1"], 0)),
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-json/package.json",
        Some((&["npm@6.14.6"], 0)),
    ),
    (
        "npm-lock",
        "javascript/testdata/pkg-lock/alias-package-lock-1.json",
        Some((
            &["@bundled-es-modules/chai@4.2.2", "case@1.6.2", "case@1.6.3"],
            0,
        )),
    ),
    (
        "npm-lock",
        "javascript/testdata/pkg-lock/alias-package-lock-2.json",
        Some((
            &["@bundled-es-modules/chai@4.2.2", "case@1.6.2", "case@1.6.3"],
            0,
        )),
    ),
    (
        "npm-lock",
        "javascript/testdata/pkg-lock/array-license-package-lock.json",
        Some((&["pause-stream@0.0.11", "through@2.3.8"], 0)),
    ),
    (
        "npm-lock",
        "javascript/testdata/pkg-lock/nested-package-lock-1.json",
        Some((
            &[
                "dev-nested@1.0.0",
                "dev-parent@1.0.0 (dev)",
                "duplicate@1.0.0",
                "middle@1.0.0",
                "parent@1.0.0",
                "shared@0.5.0",
                "shared@1.0.0",
                "shared@2.0.0",
            ],
            0,
        )),
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-lock/node_modules/@actions/core/package.json",
        Some((&["@actions/core@1.6.0"], 0)),
    ),
    (
        "npm-installed",
        "javascript/testdata/pkg-lock/node_modules/cowsay/package.json",
        Some((&["cowsay@1.4.0"], 0)),
    ),
    (
        "npm-lock",
        "javascript/testdata/pkg-lock/package-lock-2.json",
        Some((
            &[
                "@types/prop-types@15.7.5",
                "@types/react@18.0.17",
                "@types/scheduler@0.16.2",
                "async@3.2.4 (dev)",
                "csstype@3.1.0",
            ],
            0,
        )),
    ),
    (
        "npm-lock",
        "javascript/testdata/pkg-lock/package-lock-3.json",
        Some((
            &[
                "@types/prop-types@15.7.5",
                "@types/react@18.0.20",
                "@types/scheduler@0.16.2",
                "async@3.2.4 (dev)",
                "csstype@3.1.1",
            ],
            0,
        )),
    ),
    (
        "npm-lock",
        "javascript/testdata/pkg-lock/package-lock.json",
        Some((
            &[
                "@actions/core@1.6.0",
                "ansi-regex@3.0.0",
                "async@3.2.4 (dev)",
                "cowsay@1.4.0",
                "get-stdin@5.0.1",
                "is-fullwidth-code-point@2.0.0",
                "minimist@0.0.10",
                "optimist@0.6.1",
                "string-width@2.1.1",
                "strip-ansi@4.0.0",
                "strip-eof@1.0.0",
                "wordwrap@0.0.3",
            ],
            0,
        )),
    ),
    (
        "pnpm-lock",
        "javascript/testdata/pnpm-multi-doc/pnpm-lock.yaml",
        Some((
            &[
                "@pnpm/exe.linux-x64@12.0.0-rc.3",
                "minimist@1.2.0",
                "pnpm@12.0.0-rc.3",
            ],
            0,
        )),
    ),
    (
        "pnpm-lock",
        "javascript/testdata/pnpm-remote/pnpm-lock.yaml",
        Some((&["nanoid@3.3.4"], 0)),
    ),
    (
        "pnpm-lock",
        "javascript/testdata/pnpm-v5-peer-suffix/pnpm-lock.yaml",
        Some((&["acorn-jsx@5.3.2", "acorn@8.8.0", "webpack-cli@4.10.0"], 0)),
    ),
    (
        "pnpm-lock",
        "javascript/testdata/pnpm-v6/pnpm-lock.yaml",
        Some((
            &[
                "@babel/core@7.21.4",
                "@testing-library/jest-dom@5.16.5",
                "@testing-library/react@13.4.0",
                "@testing-library/user-event@13.5.0",
                "@types/eslint@8.37.0",
                "react-dom@18.2.0",
                "react@18.2.0",
                "read-cache@1.0.0",
                "schema-utils@3.1.2",
                "web-vitals@2.1.4",
            ],
            0,
        )),
    ),
    (
        "pnpm-lock",
        "javascript/testdata/pnpm-v9-snapshots/pnpm-lock.yaml",
        Some((
            &[
                "cross-spawn@7.0.6",
                "isexe@2.0.0",
                "path-key@3.1.1",
                "shebang-command@2.0.0",
                "shebang-regex@3.0.0",
                "which@2.0.2",
            ],
            0,
        )),
    ),
    (
        "pnpm-lock",
        "javascript/testdata/pnpm-v9/pnpm-lock.yaml",
        Some((
            &[
                "@babel/core@7.24.7",
                "@babel/helper-plugin-utils@7.24.7",
                "is-positive@3.1.0",
                "rollup@4.18.0",
            ],
            0,
        )),
    ),
    (
        "pnpm-lock",
        "javascript/testdata/pnpm/pnpm-lock.yaml",
        Some((&["@bcoe/v8-coverage@0.2.3 (dev)"], 0)),
    ),
    (
        "yarn-lock",
        "javascript/testdata/yarn-berry-dev-deps/yarn.lock",
        Some((
            &[
                "dev-only-transitive@1.0.0",
                "dev-pkg@1.0.0",
                "prod-pkg@1.0.0",
                "shared-pkg@1.0.0",
            ],
            0,
        )),
    ),
    (
        "yarn-lock",
        "javascript/testdata/yarn-berry-dups/yarn.lock",
        Some((&["async@0.9.2", "async@3.2.6"], 0)),
    ),
    (
        "yarn-lock",
        "javascript/testdata/yarn-berry/yarn.lock",
        Some((
            &[
                "@babel/code-frame@7.10.4",
                "@types/minimatch@3.0.3",
                "@types/qs@6.9.4",
                "ajv@6.12.3",
                "asn1.js@4.10.1",
                "atob@2.1.2",
                "aws-sdk@2.706.0",
                "jhipster-core@7.3.4",
            ],
            0,
        )),
    ),
    (
        "yarn-lock",
        "javascript/testdata/yarn-dev-deps/yarn.lock",
        Some((
            &[
                "dev-only-transitive@1.0.0",
                "dev-pkg@1.0.0",
                "prod-pkg@1.0.0",
                "shared-pkg@1.0.0",
            ],
            0,
        )),
    ),
    (
        "yarn-lock",
        "javascript/testdata/yarn-dups/yarn.lock",
        Some((
            &[
                "async@0.9.2",
                "async@3.2.3",
                "merge-objects@1.0.5",
                "resize-observer-polyfill@1.5.2",
                "should-type@1.3.0 #31d2694",
            ],
            0,
        )),
    ),
    (
        "yarn-lock",
        "javascript/testdata/yarn-remote/yarn.lock",
        Some((&["@babel/code-frame@7.10.4"], 0)),
    ),
    (
        "yarn-lock",
        "javascript/testdata/yarn-v1-deps/yarn.lock",
        Some((
            &[
                "@babel/code-frame@7.10.4",
                "@types/minimatch@3.0.3",
                "@types/qs@6.9.4",
                "ajv@6.12.3",
                "asn1.js@4.10.1",
                "atob@2.1.2",
                "aws-sdk@2.706.0",
                "c0n-fab_u.laTION@7.7.7",
                "jhipster-core@7.3.4",
            ],
            0,
        )),
    ),
    (
        "yarn-lock",
        "javascript/testdata/yarn/yarn.lock",
        Some((
            &[
                "@babel/code-frame@7.10.4",
                "@types/minimatch@3.0.3",
                "@types/qs@6.9.4",
                "ajv@6.12.3",
                "asn1.js@4.10.1",
                "atob@2.1.2",
                "aws-sdk@2.706.0",
                "c0n-fab_u.laTION@7.7.7",
                "jhipster-core@7.3.4",
            ],
            0,
        )),
    ),
    (
        "python-installed",
        "python/testdata/Python-2.7.egg-info",
        Some((&["Python@2.7.13"], 0)),
    ),
    (
        "python-installed",
        "python/testdata/empty-1.0.0-py3.8.egg-info",
        None,
    ),
    (
        "python-pdm-lock",
        "python/testdata/pdm-lock-extras/pdm.lock",
        Some((
            &[
                "coverage@7.4.1 (dev)",
                "pytest-cov@4.1.0 (dev)",
                "pytest@8.0.1 (dev)",
                "tomli@2.0.1 (dev)",
                "uvloop@0.19.0 (dev)",
            ],
            0,
        )),
    ),
    (
        "python-pdm-lock",
        "python/testdata/pdm-lock-separate-files/pdm.lock",
        Some((
            &[
                "anyio@3.6.1",
                "appnope@0.1.3",
                "asttokens@2.0.8",
                "backcall@0.2.0",
                "black@22.6.0",
                "certifi@2022.6.15",
                "cffi@1.15.1",
                "click@8.1.3",
                "colorama@0.4.5",
                "commonmark@0.9.1",
                "debugpy@1.6.3",
                "decorator@5.1.1",
                "entrypoints@0.4",
                "executing@0.10.0",
                "h11@0.12.0",
                "httpcore@0.15.0",
                "httpx@0.23.0",
                "idna@3.3",
                "ipykernel@6.15.1",
                "ipython@8.4.0",
                "isort@5.10.1",
                "jedi@0.18.1",
                "jupyter-client@7.3.5",
                "jupyter-core@4.11.1",
                "matplotlib-inline@0.1.6",
                "mutagen@1.45.1",
                "mypy-extensions@0.4.3",
                "nest-asyncio@1.5.5",
                "packaging@21.3",
                "parso@0.8.3",
                "pathspec@0.9.0",
                "pexpect@4.8.0",
                "pickleshare@0.7.5",
                "platformdirs@2.5.2",
                "prompt-toolkit@3.0.30",
                "psutil@5.9.1",
                "ptyprocess@0.7.0",
                "pure-eval@0.2.2",
                "py@1.11.0",
                "pycparser@2.21",
                "pydantic@1.9.2",
                "pygments@2.13.0",
                "pyparsing@3.0.9",
                "python-dateutil@2.8.2",
                "pywin32@304",
                "pyzmq@23.2.1",
                "rfc3986@1.5.0",
                "rich@12.5.1",
                "setuptools@65.3.0",
                "six@1.16.0",
                "sniffio@1.2.0",
                "stack-data@0.5.0",
                "tomli@2.0.1",
                "tornado@6.2",
                "traitlets@5.3.0",
                "typing-extensions@4.3.0",
                "wcwidth@0.2.5",
            ],
            0,
        )),
    ),
    (
        "python-pdm-lock",
        "python/testdata/pdm-lock/pdm.lock",
        Some((
            &[
                "certifi@2025.1.31 (optional)",
                "chardet@3.0.4",
                "charset-normalizer@2.0.12 (optional)",
                "colorama@0.3.9 (optional)",
                "idna@2.7",
                "py@1.4.34 (optional)",
                "pytest@3.2.5 (optional)",
                "requests@2.27.1 (optional)",
                "setuptools@39.2.0 (optional)",
                "urllib3@1.26.20 (optional)",
            ],
            0,
        )),
    ),
    (
        "python-pipfile-lock",
        "python/testdata/pipfile-lock/Pipfile.lock",
        Some((
            &[
                "aio-pika@6.8.0",
                "aiodns@2.0.0",
                "aiohttp-jinja2@1.4.2",
                "aiohttp@3.7.4.post0",
                "astroid@2.5.2 (dev)",
                "autopep8@1.5.6 (dev)",
            ],
            0,
        )),
    ),
    (
        "python-poetry-lock",
        "python/testdata/poetry/case-sensitivity/poetry.lock",
        Some((
            &[
                "dj-rest-auth@7.0.1",
                "django@5.2.6",
                "djangorestframework@3.16.1",
            ],
            0,
        )),
    ),
    (
        "python-poetry-lock",
        "python/testdata/poetry/conflicting-with-extras/poetry.lock",
        Some((
            &[
                "anyio@4.3.0",
                "brotli@1.1.0",
                "brotlicffi@1.1.0.0",
                "certifi@2024.2.2",
                "cffi@1.16.0",
                "click@7.1.2",
                "colorama@0.4.6",
                "h11@0.14.0",
                "h2@4.1.0",
                "hpack@4.0.0",
                "httpcore@1.0.5",
                "httpx@0.27.0",
                "hyperframe@6.0.1",
                "idna@3.7",
                "pprintpp@0.4.0",
                "pycparser@2.22",
                "pygments@1.6",
                "rich@0.3.3",
                "sniffio@1.3.1",
                "socksio@1.0.0",
                "typing-extensions@3.10.0.2",
            ],
            0,
        )),
    ),
    (
        "python-poetry-lock",
        "python/testdata/poetry/dev-deps/poetry.lock",
        Some((
            &[
                "added-value@0.14.2 (dev)",
                "alabaster@0.7.12 (dev)",
                "appnope@0.1.0 (dev)",
                "asciitree@0.3.3 (dev)",
            ],
            0,
        )),
    ),
    (
        "python-poetry-lock",
        "python/testdata/poetry/multiple-extras/poetry.lock",
        Some((
            &[
                "anyio@4.3.0",
                "brotli@1.1.0",
                "brotlicffi@1.1.0.0",
                "certifi@2024.2.2",
                "cffi@1.16.0",
                "h11@0.14.0",
                "h2@4.1.0",
                "hpack@4.0.0",
                "httpcore@1.0.5",
                "httpx@0.27.0",
                "hyperframe@6.0.1",
                "idna@3.7",
                "pycparser@2.22",
                "sniffio@1.3.1",
                "socksio@1.0.0",
            ],
            0,
        )),
    ),
    (
        "python-poetry-lock",
        "python/testdata/poetry/nested-extras/poetry.lock",
        Some((
            &[
                "annotated-types@0.7.0",
                "anyio@4.3.0",
                "certifi@2024.2.2",
                "click@8.1.7",
                "colorama@0.4.6",
                "dnspython@2.6.1",
                "email-validator@2.1.1",
                "fastapi-cli@0.0.4",
                "fastapi@0.111.0",
                "h11@0.14.0",
                "httpcore@1.0.5",
                "httptools@0.6.1",
                "httpx@0.27.0",
                "idna@3.7",
                "itsdangerous@2.2.0",
                "jinja2@3.1.4",
                "markdown-it-py@3.0.0",
                "markupsafe@2.1.5",
                "mdurl@0.1.2",
                "orjson@3.10.3",
                "pydantic-core@2.18.2",
                "pydantic-extra-types@2.7.0",
                "pydantic-settings@2.2.1",
                "pydantic@2.7.1",
                "pygments@2.18.0",
                "python-dotenv@1.0.1",
                "python-multipart@0.0.9",
                "pyyaml@6.0.1",
                "rich@13.7.1",
                "shellingham@1.5.4",
                "sniffio@1.3.1",
                "starlette@0.37.2",
                "typer@0.12.3",
                "typing-extensions@4.12.0",
                "ujson@5.10.0",
                "uvicorn@0.29.0",
                "uvloop@0.19.0",
                "watchfiles@0.21.0",
                "websockets@12.0",
            ],
            0,
        )),
    ),
    (
        "python-poetry-lock",
        "python/testdata/poetry/simple-deps/poetry.lock",
        Some((
            &[
                "certifi@2024.2.2",
                "charset-normalizer@3.3.2",
                "idna@3.7",
                "requests@2.32.2",
                "urllib3@2.2.1",
            ],
            0,
        )),
    ),
    (
        "python-pipfile-lock",
        "python/testdata/pypi-remote/Pipfile.lock",
        Some((&["certifi@2025.10.5"], 0)),
    ),
    (
        "python-pdm-lock",
        "python/testdata/pypi-remote/pdm.lock",
        Some((&["certifi@2025.10.5 (optional)"], 0)),
    ),
    (
        "python-poetry-lock",
        "python/testdata/pypi-remote/poetry.lock",
        Some((&["certifi@2025.10.5"], 0)),
    ),
    (
        "python-requirements",
        "python/testdata/pypi-remote/requirements.txt",
        Some((&["certifi@2025.10.5"], 0)),
    ),
    (
        "python-requirements",
        "python/testdata/requires/requirements.txt",
        Some((
            &[
                "FrIeNdLy-_-bArD@1.0.0",
                "SomeProject@5.4",
                "argh@0.26.2",
                "argh@0.26.3",
                "celery@4.4.7",
                "dots-._allowed@1.0.0",
                "flask@4.0.0",
                "foo@1.0.0",
                "local-version@1.2.3+gcr.2",
                "urllib3@1.26.20",
            ],
            1,
        )),
    ),
    (
        "python-installed",
        "python/testdata/site-packages/malformed-record/dist-info/METADATA",
        Some((&["Pygments@2.6.1"], 0)),
    ),
    (
        "python-installed",
        "python/testdata/site-packages/nested/dist-name/dist-info/METADATA",
        Some((&["Pygments@2.6.1"], 0)),
    ),
    (
        "python-installed",
        "python/testdata/site-packages/nested/egg-name/egg-info/PKG-INFO",
        Some((&["requests@2.22.0"], 0)),
    ),
    (
        "python-installed",
        "python/testdata/site-packages/nested/egg-name/egg-info/PKG-INFO-INVALID",
        Some((&["mxnet@1.8.0"], 0)),
    ),
    (
        "python-installed",
        "python/testdata/site-packages/no-version/no-version-py3.8.egg-info",
        None,
    ),
    (
        "python-installed",
        "python/testdata/site-packages/partial.dist-info/METADATA",
        Some((&["Pygments@2.6.1"], 0)),
    ),
    (
        "python-installed",
        "python/testdata/site-packages/test/test.egg-info",
        Some((&["requests@2.22.0"], 0)),
    ),
    (
        "python-installed",
        "python/testdata/site-packages/uppercase/dist-name/DIST-INFO/METADATA",
        Some((&["Pygments@2.6.1"], 0)),
    ),
    (
        "python-installed",
        "python/testdata/site-packages/uppercase/egg-name/EGG-INFO/PKG-INFO",
        Some((&["requests@2.22.0"], 0)),
    ),
    (
        "python-installed",
        "python/testdata/site-packages/uppercase/egg-name/EGG-INFO/PKG-INFO-INVALID",
        Some((&["mxnet@1.8.0"], 0)),
    ),
    (
        "ruby-gemfile-lock",
        "ruby/testdata/Gemfile.lock",
        Some((
            &[
                "actionmailer@4.1.1",
                "actionpack@4.1.1",
                "actionview@4.1.1",
                "activemodel@4.1.1",
                "activerecord@4.1.1",
                "activesupport@4.1.1",
                "arel@5.0.1.20140414130214",
                "bootstrap-sass@3.1.1.1",
                "builder@3.2.2",
                "coffee-rails@4.0.1",
                "coffee-script-source@1.7.0",
                "coffee-script@2.2.0",
                "erubis@2.7.0",
                "execjs@2.0.2",
                "google-cloud-errors@1.3.0",
                "hike@1.2.3",
                "i18n@0.6.9",
                "jbuilder@2.0.7",
                "jquery-rails@3.1.0",
                "json@1.8.1",
                "kgio@2.9.2",
                "libv8@3.16.14.3",
                "mail@2.5.4",
                "mime-types@1.25.1",
                "minitest@5.3.4",
                "multi_json@1.10.1",
                "mysql2@0.3.16",
                "polyglot@0.3.4",
                "rack-test@0.6.2",
                "rack@1.5.2",
                "rails@4.1.1",
                "railties@4.1.1",
                "raindrops@0.13.0",
                "rake@10.3.2",
                "rdoc@4.1.1",
                "ref@1.0.5",
                "sass-rails@4.0.3",
                "sass@3.2.19",
                "sdoc@0.4.0",
                "spring@1.1.3",
                "sprockets-rails@2.1.3",
                "sprockets@2.11.0",
                "sqlite3@1.3.9",
                "therubyracer@0.12.1",
                "thor@0.19.1",
                "thread_safe@0.3.3",
                "tilt@1.4.1",
                "treetop@1.4.15",
                "turbolinks@3.0.0 #80216ce",
                "tzinfo@1.2.0",
                "uglifier@2.5.0",
                "unicorn@4.8.3",
            ],
            0,
        )),
    ),
    (
        "rust-cargo-lock",
        "rust/testdata/Cargo.lock",
        Some((
            &[
                "ansi_term@0.12.1",
                "errno@0.3.9",
                "matches@0.1.8",
                "memchr@2.3.3",
                "natord@1.0.9",
                "nom@4.2.3",
                "schannel@0.1.26",
                "unicode-bidi@0.3.4",
                "version_check@0.1.5",
                "winapi-i686-pc-windows-gnu@0.4.0",
                "winapi-x86_64-pc-windows-gnu@0.4.0",
                "winapi@0.3.9",
                "windows-sys@0.52.0",
                "windows-sys@0.59.0",
            ],
            0,
        )),
    ),
    (
        "rust-cargo-lock",
        "rust/testdata/Cargo.lock-with-git-deps",
        Some((
            &[
                "aho-corasick@1.1.3",
                "hello_world@0.1.0",
                "memchr@2.7.4",
                "minimal-lexical@0.2.1",
                "nom-regex@0.2.0",
                "nom@7.1.3",
                "regex-automata@0.4.9",
                "regex-automata@0.4.9 #1a069b9",
                "regex-syntax@0.8.5",
                "regex-syntax@0.8.5 #1a069b9",
                "regex@1.11.1",
                "regex@1.11.1 #1a069b9",
            ],
            0,
        )),
    ),
    (
        "rust-cargo-lock",
        "rust/testdata/image-audit/Cargo.lock",
        Some((
            &[
                "argh@0.1.12",
                "argh_derive@0.1.12",
                "argh_shared@0.1.12",
                "hello_world@0.1.0",
                "proc-macro2@1.0.92",
                "quote@1.0.37",
                "serde@1.0.215",
                "serde_derive@1.0.215",
                "syn@2.0.90",
                "unicode-ident@1.0.14",
            ],
            0,
        )),
    ),
    (
        "rust-cargo-lock",
        "rust/testdata/path-deps/Cargo.lock",
        Some((&["app@1.0.0", "memchr@2.7.4", "telemetry@0.1.0"], 0)),
    ),
];

/// Real lockfiles: every one parses with no error, and the package counts match independent
/// counts (unique `require` lines of go.mod, unique name and version of package-lock `packages`
/// or v1 `dependencies`, pnpm `packages` keys, `name==version` lines of requirements files).
const REALWORLD: &[(&str, &str, usize)] = &[
    ("go-mod", "argo-cd/go.mod", 308),
    ("pnpm-lock", "argo-cd/ui/pnpm-lock.yaml", 1317),
    ("go-mod", "cert-manager/cmd/controller/go.mod", 176),
    ("go-mod", "cert-manager/go.mod", 187),
    (
        "go-mod",
        "kubernetes-goat/infrastructure/health-check/go.mod",
        15,
    ),
    (
        "npm-lock",
        "kubernetes-goat/infrastructure/internal-api/code/package-lock.json",
        62,
    ),
    (
        "go-mod",
        "kubernetes-goat/infrastructure/metadata-db/go.mod",
        0,
    ),
    (
        "go-mod",
        "microservices-demo/src/checkoutservice/go.mod",
        41,
    ),
    (
        "npm-lock",
        "microservices-demo/src/currencyservice/package-lock.json",
        273,
    ),
    (
        "python-requirements",
        "microservices-demo/src/emailservice/requirements.txt",
        35,
    ),
    ("go-mod", "microservices-demo/src/frontend/go.mod", 47),
    (
        "python-requirements",
        "microservices-demo/src/loadgenerator/requirements.txt",
        39,
    ),
    (
        "npm-lock",
        "microservices-demo/src/paymentservice/package-lock.json",
        209,
    ),
    (
        "go-mod",
        "microservices-demo/src/productcatalogservice/go.mod",
        57,
    ),
    (
        "python-requirements",
        "microservices-demo/src/recommendationservice/requirements.txt",
        31,
    ),
    (
        "go-mod",
        "microservices-demo/src/shippingservice/go.mod",
        33,
    ),
    (
        "python-requirements",
        "microservices-demo/src/shoppingassistantservice/requirements.txt",
        79,
    ),
];

fn cataloger(name: &str) -> &'static dyn Cataloger {
    catalog::all()
        .into_iter()
        .find(|c| c.name() == name)
        .unwrap_or_else(|| panic!("no cataloger `{name}`"))
}

fn render(package: &harrier_image::Package) -> String {
    let mut s = format!("{}@{}", package.name, package.version);
    if let Some(scope) = package.metadata.get("dependency.scope") {
        s.push_str(&format!(" ({scope})"));
    }
    if let Some(commit) = package.metadata.get("vcs.commit") {
        s.push_str(&format!(" #{}", commit.get(..7).unwrap_or(commit)));
    }
    s
}

fn check(dir: &str, rows: &[Row]) {
    let Some(root) = harrier_core::testing::corpus_path(env!("CARGO_MANIFEST_DIR"), dir) else {
        return;
    };
    let mut failures = Vec::new();
    for &(name, relative, expected) in rows {
        let path = root.join(relative);
        let content = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let file = FileMeta {
            path: relative,
            size: content.len() as u64,
            mode: 0o644,
        };
        let got = cataloger(name).catalog(&file, &content);
        match (got, expected) {
            (Err(_), None) => {}
            (Ok(found), Some((packages, errors))) => {
                let mut rendered: Vec<String> = found.packages.iter().map(render).collect();
                rendered.sort();
                if rendered != packages || found.errors.len() != errors {
                    failures.push(format!(
                        "{relative}: got {rendered:?} with errors {:?}, want {packages:?} with {errors} errors",
                        found.errors
                    ));
                }
                for package in &found.packages {
                    assert_eq!(
                        package.location.path, relative,
                        "location of {}",
                        package.name
                    );
                }
            }
            (got, expected) => failures.push(format!("{relative}: got {got:?}, want {expected:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixtures differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn osv_scanner_lockfile_fixtures() {
    check("sbom/osv-scanner-lockfile-fixtures", OSV);
}

#[test]
fn syft_cataloger_fixtures() {
    check("sbom/syft-cataloger-fixtures", SYFT);
}

#[test]
fn realworld_lockfiles_parse_cleanly() {
    let Some(root) =
        harrier_core::testing::corpus_path(env!("CARGO_MANIFEST_DIR"), "sbom/realworld-lockfiles")
    else {
        return;
    };
    for &(name, relative, count) in REALWORLD {
        let content =
            std::fs::read(root.join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"));
        let file = FileMeta {
            path: relative,
            size: content.len() as u64,
            mode: 0o644,
        };
        let c = cataloger(name);
        assert_ne!(
            c.wants(&file),
            catalog::Want::No,
            "{name} does not want {relative}"
        );
        let found = c
            .catalog(&file, &content)
            .unwrap_or_else(|e| panic!("{relative}: {e}"));
        assert!(found.errors.is_empty(), "{relative}: {:?}", found.errors);
        assert_eq!(found.packages.len(), count, "{relative}");
        // The one empty version allowed: a module replaced by a local directory.
        for p in &found.packages {
            assert!(!p.name.is_empty(), "{relative}");
            assert!(
                !p.version.is_empty() || p.metadata.contains_key("go.replace-dir"),
                "{relative}: {p:?}"
            );
        }
    }
}

/// Every corpus lockfile is wanted by the cataloger that reads it, and by no other.
#[test]
fn the_right_cataloger_wants_each_lockfile() {
    let Some(_) =
        harrier_core::testing::corpus_path(env!("CARGO_MANIFEST_DIR"), "sbom/realworld-lockfiles")
    else {
        return;
    };
    for &(name, relative, _) in REALWORLD {
        let file = FileMeta {
            path: relative,
            size: 1000,
            mode: 0o644,
        };
        let wanting: Vec<&str> = catalog::all()
            .into_iter()
            .filter(|c| c.wants(&file) != catalog::Want::No)
            .map(|c| c.name())
            .collect();
        assert_eq!(wanting, [name], "{relative}");
    }
}
