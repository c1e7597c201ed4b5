"""Per variant, medians of a write's wall time, its two fsyncs and the time between its system
calls, and their difference from the bare protocol's, in each trace (../w1c/trace2.sh) and over all.
Usage: python3 delta.py v1,v2,... t1.trace [t2.trace ...]   (v1 must be bare)"""
import collections, os, statistics as st, subprocess, sys

names = sys.argv[1].split(',')
HERE = os.path.dirname(os.path.abspath(__file__))
COLS = ['wall', 'between calls', 'fsync(temp)', 'fsync(folder)']
per_run = collections.defaultdict(list)
for trace in sys.argv[2:]:
    out = subprocess.run([sys.executable, os.path.join(HERE, '..', 'w1c', 'ptrace2.py'), trace, ','.join(names)],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    rows = {}
    for line in out[1:]:
        head, *cells = line.split('|')
        variant = head.split()[0]
        rows[variant] = [float(c.split()[0]) for c in cells[:4]]
    print(os.path.basename(trace))
    for v in names:
        d = [a - b for a, b in zip(rows[v], rows[names[0]])]
        per_run[v].append(d)
        print('  %-13s ' % v + '  '.join('%s %5.0f (%+4.0f)' % (c, x, y) for c, x, y in zip(COLS, rows[v], d)))
print('median difference from %s over %d runs, µs:' % (names[0], len(sys.argv) - 2))
for v in names[1:]:
    print('  %-13s ' % v + '  '.join('%s %+5.0f' % (c, st.median(r[i] for r in per_run[v])) for i, c in enumerate(COLS)))
