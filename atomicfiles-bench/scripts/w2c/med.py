import json, sys, statistics as st
print('| run | defaults wall / CPU (ms) | bare wall / CPU (ms) | SHA-256 in memory (ms) | median per-round ratio slower(bare,sha)/defaults | library CPU − (bare + SHA) CPU (ms) |')
print('|---|---:|---:|---:|---:|---:|')
for f in sys.argv[1:]:
    b = json.load(open(f))[0]['secondaryMetrics']
    def raw(k):
        r = b[k]['rawData'][0]
        return r
    def per(k, ops):
        return [v / o / 1e6 for v, o in zip(raw(k), raw(ops))]
    lib = per('atomicFilesDefaultsNanos', 'atomicFilesDefaultsOps'); libc = per('atomicFilesDefaultsCpuNanos', 'atomicFilesDefaultsOps')
    bare = per('bareProtocolNanos', 'bareProtocolOps'); barec = per('bareProtocolCpuNanos', 'bareProtocolOps')
    sha = per('sha256InMemoryNanos', 'sha256InMemoryOps'); shac = per('sha256InMemoryCpuNanos', 'sha256InMemoryOps')
    slow = per('slowerOfBareAndSha256Nanos', 'slowerOfBareAndSha256Ops')
    ratio = [s / l for s, l in zip(slow, lib)]
    extra = [lc - bc - sc for lc, bc, sc in zip(libc, barec, shac)]
    m = st.median
    print(f'| {f} | {m(lib):.0f} / {m(libc):.0f} | {m(bare):.0f} / {m(barec):.0f} | {m(sha):.0f} | {m(ratio):.3f} | {m(extra):.0f} |')
