import re, sys, statistics as st, collections
NAMES = {0:'read',1:'write',3:'close',72:'fcntl',74:'fsync',82:'rename',257:'openat',332:'statx',21:'access',228:'clock_gettime',202:'futex'}
rx = re.compile(r'^\s*(\S+)-(\d+)\s+\[(\d+)\]\s+\S+\s+([\d.]+): (\w+): (.*)$')
names = sys.argv[2].split(',')
ev = []
for l in open(sys.argv[1]):
    if l.startswith('#'): continue
    m = rx.match(l)
    if m: ev.append((float(m.group(4)), m.group(5), m.group(6), int(m.group(2))))
tid = collections.Counter(e[3] for e in ev if e[1]=='sys_enter').most_common(1)[0][0]
segs = []; nacc = 0; cur = None; t_acc = None; started = False
for t, kind, rest, pid in ev:
    if pid != tid or kind not in ('sys_enter','sys_exit'): continue
    nr = int(rest.split()[1])
    if kind == 'sys_enter':
        if nr == 21:
            if cur: cur = None
            nacc += 1; continue
        if nr == 228:
            if cur: cur['t1'] = t; segs.append(cur)
            cur = None; nacc = 0; continue
        if cur is None and nacc:
            cur = {'v': names[nacc-1] if nacc-1 < len(names) else '?', 't0': t_acc, 'calls': []}
            nacc = 0
        if cur is not None: cur['calls'].append([NAMES.get(nr, str(nr)), t, None])
    else:
        if nr == 21: t_acc = t
        elif cur is not None and cur['calls'] and cur['calls'][-1][2] is None: cur['calls'][-1][2] = t
by = collections.defaultdict(list)
for s in segs: by[s['v']].append(s)
US = 1e6
def f(xs): return '%6.0f %6.0f' % (US*st.median(xs), US*st.mean(xs))
print('variant: n | wall med mean | between calls med mean | fsync(temp) med mean | fsync(folder) med mean | other calls sum med')
for v in names:
    ss = by[v]
    seq = collections.Counter(tuple(c[0] for c in s['calls']) for s in ss)
    top = seq.most_common(1)[0][0]
    sel = [s for s in ss if tuple(c[0] for c in s['calls']) == top and all(c[2] for c in s['calls'])]
    fs = [i for i, n in enumerate(top) if n == 'fsync']
    wall = [s['t1']-s['t0'] for s in sel]
    incalls = [sum(c[2]-c[1] for c in s['calls']) for s in sel]
    gap = [w - ic for w, ic in zip(wall, incalls)]
    f1 = [s['calls'][fs[0]][2]-s['calls'][fs[0]][1] for s in sel]
    f2 = [s['calls'][fs[1]][2]-s['calls'][fs[1]][1] for s in sel]
    oth = [ic - a - b for ic, a, b in zip(incalls, f1, f2)]
    print('%-9s %4d | %s | %s | %s | %s | %s' % (v, len(sel), f(wall), f(gap), f(f1), f(f2), f(oth)))
    if len(sys.argv) > 3:
        print('    ', ' '.join(top))
        for i, n in enumerate(top):
            print('     %2d %-7s med %5.0f' % (i, n, US*st.median([s['calls'][i][2]-s['calls'][i][1] for s in sel])))
