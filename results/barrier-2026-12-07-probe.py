# barrier-2026-12-07-probe.py DIR: edits DIR/explorer/explorer.go of an
# argocheck checkout so that, with ARGO_SERIAL set, Run prints to stderr
# its wall seconds, those spent in the workers' expansion of units and in
# search.parallel ("parallel"), those in the visited set's Reserve, and
# the rest ("serial": what one goroutine does while the workers wait).
# A probe for measuring, not part of argocheck.
import sys
p=sys.argv[1]+'/explorer/explorer.go'
s=open(p).read()
def rep(a,b):
    global s
    assert s.count(a)>=1, a
    s=s.replace(a,b,1)
rep('import (','import (\n\t"os"')
rep('		var pause atomic.Bool\n','		var pause atomic.Bool\n\t\tprobeT0 := time.Now()\n')
rep('		if err := g.Wait(); err != nil {\n			return err\n		}\n		if len(s.redo)','		probeErr := g.Wait()\n\t\tprobePar += time.Since(probeT0)\n\t\tif probeErr != nil {\n\t\t\treturn probeErr\n\t\t}\n\t\tif len(s.redo)')
rep('func (s *search) parallel(n int, f func(i int) error) error {','func (s *search) parallel(n int, f func(i int) error) error {\n\tprobeT0 := time.Now()\n\tdefer func() { probePar += time.Since(probeT0) }()')
rep('	start := time.Now()\n','	start := time.Now()\n\tdefer func() { if os.Getenv("ARGO_SERIAL") != "" { fmt.Fprintf(os.Stderr, "probe total %.3f parallel %.3f reserve %.3f serial %.3f\\n", time.Since(start).Seconds(), probePar.Seconds(), probeRes.Seconds(), (time.Since(start)-probePar-probeRes).Seconds()) } }()\n')
rep('if _, need, err := s.visited.Reserve(s.visited.Len()+n, len(s.workers), max(limit, 1)); err != nil {\n\t\treturn "", err\n','probeR := time.Now()\n\t_, need, rerr := s.visited.Reserve(s.visited.Len()+n, len(s.workers), max(limit, 1))\n\tprobeRes += time.Since(probeR)\n\tif rerr != nil {\n\t\treturn "", rerr\n')
s+='\nvar probePar, probeRes time.Duration\n'
open(p,'w').write(s)
