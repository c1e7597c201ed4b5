import re, sys, statistics as st, collections
rx = re.compile(r'^\s*(\S+)-(\d+)\s+\[(\d+)\]\s+\S+\s+([\d.]+): (\w+): (.*)$')
names = sys.argv[2].split(',')
ev = []
for l in open(sys.argv[1]):
    if l.startswith('#'): continue
    m = rx.match(l)
    if m: ev.append((float(m.group(4)), m.group(5), m.group(6), int(m.group(2))))
tid = collections.Counter(e[3] for e in ev if e[1]=='sys_enter').most_common(1)[0][0]
# per fsync call: duration, blocked (switch-out D -> wakeup), runq (wakeup -> switch-in), number of sleeps
segs = []; nacc = 0; cur = None; infs = None; nfs = 0; off = None; wake = None
for t, kind, rest, pid in ev:
    if kind in ('sys_enter', 'sys_exit') and pid == tid:
        nr = int(rest.split()[1])
        if kind == 'sys_enter':
            if nr == 21: nacc += 1; cur = None; continue
            if nr == 228:
                if cur: segs.append(cur)
                cur = None; nacc = 0; continue
            if cur is None and nacc:
                cur = {'v': names[nacc-1], 'fs': []}; nacc = 0
            if nr == 74 and cur is not None:
                infs = {'t0': t, 'blocked': 0.0, 'runq': 0.0, 'sleeps': 0}
        else:
            if nr == 74 and infs is not None and cur is not None:
                infs['d'] = t - infs['t0']; cur['fs'].append(infs); infs = None
    elif kind == 'sched_switch':
        pp = int(re.search(r'prev_pid=(\d+)', rest).group(1)); np_ = int(re.search(r'next_pid=(\d+)', rest).group(1))
        if pp == tid: off = t; wake = None
        elif np_ == tid and off is not None:
            if infs is not None:
                w = wake if wake is not None else t
                infs['blocked'] += w - off; infs['runq'] += t - w; infs['sleeps'] += 1; infs.setdefault('each', []).append(w - off)
            off = None
    elif kind == 'sched_wakeup' and 'pid=%d ' % tid in rest:
        wake = t
by = collections.defaultdict(list)
for s in segs:
    if len(s['fs']) == 2: by[s['v']].append(s)
US = 1e6
def m(xs): return '%5.0f/%5.0f' % (US*st.median(xs), US*st.mean(xs))
print('median/mean µs; fsync = on CPU (in the kernel) + blocked (waiting for the journal/disk) + run queue')
for v in names:
    ss = by[v]
    for k, label in ((0, 'temp'), (1, 'folder')):
        fs = [s['fs'][k] for s in ss]
        print('%-9s %-6s n=%d dur %s  onCPU %s  blocked %s  runq %s  sleeps %.2f' % (v, label, len(fs), m([f['d'] for f in fs]),
            m([f['d'] - f['blocked'] - f['runq'] for f in fs]), m([f['blocked'] for f in fs]), m([f['runq'] for f in fs]), st.mean([f['sleeps'] for f in fs])))
        two = [f for f in fs if f['sleeps'] == 2]
        if two: print('        two sleeps n=%d: first %s second %s' % (len(two), m([f['each'][0] for f in two]), m([f['each'][1] for f in two])))
