#!/usr/bin/env python3
"""Builds synthetic docker-archive images for the image-scanning benchmarks.

    make-bench-image.py big OUT.tar [--size-mb 1024]
        Layers of real files copied from this machine's /usr (binaries, libraries, Python
        packages, documentation), gzip-compressed, until the uncompressed total reaches the
        size asked for. Real content compresses like real images do.

    make-bench-image.py small-files OUT.tar [--files 1000000]
        One layer of a million small files (64-200 bytes, 1,000 per directory): the case that
        exhausts scanners which keep a record per file.

Both write a docker-archive (manifest.json, config with diff_ids and history, layer blobs) that
`harrier scan image docker-archive:OUT.tar` and `docker load` read. Nothing here is committed
data: the images are made on the machine that measures.
"""

import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

SOURCES = ["/usr/lib", "/usr/share", "/usr/bin", "/usr/libexec", "/usr/local", "/opt"]


def walk_files(roots):
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                yield path, st


def add_layer(work, index, fill):
    """Writes layer `index` with `fill(tar)`, returns (blob name, diff_id, size)."""
    raw = os.path.join(work, f"layer{index}.tar")
    with tarfile.open(raw, "w", format=tarfile.PAX_FORMAT) as tar:
        fill(tar)
    digest = hashlib.sha256()
    with open(raw, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    size = os.path.getsize(raw)
    blob = f"blobs/layer{index}.tar.gz"
    os.makedirs(os.path.join(work, "blobs"), exist_ok=True)
    with open(os.path.join(work, blob), "wb") as out:
        subprocess.run(["gzip", "-6", "-c", raw], stdout=out, check=True)
    os.remove(raw)
    return blob, "sha256:" + digest.hexdigest(), size


def big(work, size_mb):
    target = size_mb * 1024 * 1024
    per_layer = max(target // 8, 1)
    files = walk_files(SOURCES)
    layers = []
    total = 0
    exhausted = False
    while total < target and not exhausted:
        budget = min(per_layer, target - total)

        def fill(tar, budget=budget):
            nonlocal total, exhausted
            used = 0
            for path, st in files:
                if not (os.path.isfile(path) or os.path.islink(path)):
                    continue
                try:
                    tar.add(path, arcname=path.lstrip("/"), recursive=False)
                except (OSError, tarfile.TarError):
                    continue
                used += st.st_size if not os.path.islink(path) else 0
                if used >= budget:
                    break
            else:
                exhausted = True
            total += used

        layers.append((add_layer(work, len(layers), fill), f"COPY usr part {len(layers)}"))
    return layers


def small_files(work, count):
    def fill(tar):
        for i in range(count):
            body = (f"file {i}\n" * (1 + i % 20)).encode()
            info = tarfile.TarInfo(f"data/d{i // 1000:04}/f{i % 1000:03}.txt")
            info.size = len(body)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(body))

    return [(add_layer(work, 0, fill), f"COPY {count} small files")]


def write_archive(work, layers, out):
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": [diff for (_, diff, _), _ in layers]},
        "history": [{"created_by": created_by} for _, created_by in layers],
    }
    config_bytes = json.dumps(config).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    with open(os.path.join(work, config_name), "wb") as f:
        f.write(config_bytes)
    manifest = [{"Config": config_name, "RepoTags": ["harrier-bench:latest"],
                 "Layers": [blob for (blob, _, _), _ in layers]}]
    with open(os.path.join(work, "manifest.json"), "w") as f:
        json.dump(manifest, f)
    with tarfile.open(out, "w") as tar:
        for name in ["manifest.json", config_name] + [blob for (blob, _, _), _ in layers]:
            tar.add(os.path.join(work, name), arcname=name)
    uncompressed = sum(size for (_, _, size), _ in layers)
    print(f"{out}: {len(layers)} layers, {uncompressed / 1e6:.0f} MB uncompressed, "
          f"{os.path.getsize(out) / 1e6:.0f} MB as stored", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["big", "small-files"])
    parser.add_argument("out")
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--files", type=int, default=1_000_000)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="harrier-bench-image-", dir=os.path.dirname(os.path.abspath(args.out)))
    try:
        layers = big(work, args.size_mb) if args.kind == "big" else small_files(work, args.files)
        write_archive(work, layers, args.out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
