import sys
while True:
    sys.stdout.write('READY\n'); sys.stdout.flush()
    line = sys.stdin.readline()
    headers = dict(x.split(':') for x in line.split())
    data = sys.stdin.read(int(headers['len']))
    body = dict(x.split(':') for x in data.split('\n')[0].split())
    sys.stderr.write('%s %s %s\n' % (headers['eventname'], body.get('processname'), body.get('from_state'))); sys.stderr.flush()
    sys.stdout.write('RESULT 2\nOK'); sys.stdout.flush()
