import sys, collections, re
rules = [
 ('sha256', r'sha256_implCompress|SHA2\.|DigestBase'),
 ('crc32c', r'updateBytesCRC32C|CRC32C'),
 ('java-copy', r'arraycopy|copyMemory'),
 ('write-syscall', r'write0'),
 ('read-syscall', r'pread0'),
 ('fsync', r'force0'),
 ('park/unpark', r'Unsafe\.park|Unsafe\.unpark'),
 ('jit/gc/vm', r'Compile|G1|GC Thread|VM Thread|C2 Compiler|C1 Compiler'),
]
def cats(f, rounds):
    c = collections.Counter()
    for line in open(f):
        stack, n = line.rstrip().rsplit(' ', 1); n = int(n)
        fr = stack.split(';'); leaf = fr[-1]
        key = 'other'
        # leaf-first for copies/sha/crc, then stack for syscalls
        for name, rx in rules[:3]:
            if re.search(rx, leaf): key = name; break
        else:
            for name, rx in rules[3:]:
                if re.search(rx, stack): key = name; break
        c[key] += n
    return {k: v / rounds for k, v in c.items()}
files = sys.argv[1:]
res = [(f, cats(f.split(':')[0], int(f.split(':')[1]))) for f in files]
keys = ['sha256','crc32c','java-copy','write-syscall','read-syscall','fsync','park/unpark','jit/gc/vm','other']
print('| profile | ' + ' | '.join(keys) + ' | total |')
for f, r in res:
    print('| ' + f.split(':')[0] + ' | ' + ' | '.join('%.0f' % r.get(k, 0) for k in keys) + ' | %.0f |' % sum(r.values()))
