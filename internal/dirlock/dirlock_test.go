package dirlock

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestTryLock: a held lock cannot be taken again until it is released,
// and a missing directory is an error.
func TestTryLock(t *testing.T) {
	if !Supported {
		t.Skip("no flock on this system")
	}
	dir := t.TempDir()
	l, err := TryLock(dir)
	if err != nil || l == nil {
		t.Fatalf("first lock: %v, %v", l, err)
	}
	if again, err := TryLock(dir); again != nil || err != nil {
		t.Fatalf("second lock while the first is held: %v, %v; want nil, nil", again, err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	again, err := TryLock(dir)
	if again == nil || err != nil {
		t.Fatalf("lock after release: %v, %v", again, err)
	}
	again.Release()
	if l, err := TryLock(filepath.Join(dir, "missing")); l != nil || err == nil {
		t.Fatalf("lock on a missing directory: %v, %v; want an error", l, err)
	}
}

// TestLockDroppedWhenHolderKilled: a lock held by a process killed with
// SIGKILL can be taken. The holder is this test binary, run again.
func TestLockDroppedWhenHolderKilled(t *testing.T) {
	if dir := os.Getenv("DIRLOCK_HOLD"); dir != "" {
		l, err := TryLock(dir)
		if l == nil || err != nil {
			os.Exit(3)
		}
		fmt.Println("locked")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	if !Supported {
		t.Skip("no flock on this system")
	}
	dir := t.TempDir()
	holder := exec.Command(os.Args[0], "-test.run=^TestLockDroppedWhenHolderKilled$")
	holder.Env = append(os.Environ(), "DIRLOCK_HOLD="+dir)
	out, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "locked\n" {
		holder.Process.Kill()
		t.Fatalf("the holder said %q, not that it holds the lock", line)
	}
	if l, err := TryLock(dir); l != nil || err != nil {
		t.Fatalf("lock held by another process: %v, %v; want nil, nil", l, err)
	}
	holder.Process.Signal(os.Kill)
	holder.Wait()
	l, err := TryLock(dir)
	if l == nil || err != nil {
		t.Fatalf("lock after its holder was killed: %v, %v", l, err)
	}
	l.Release()
}
