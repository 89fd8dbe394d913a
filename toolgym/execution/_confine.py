"""Kernel confinement of a sandbox process: Landlock and a seccomp-bpf allow-list, applied through raw syscalls.

Standard library only (ctypes), no libseccomp: the BPF program is built here from packed `sock_filter`s. x86_64
only (syscall numbers differ per architecture); `support()` says why not elsewhere.

Why an allow-list for seccomp: a deny-list must name every dangerous syscall of every future kernel (new ones
such as io_uring or landlock appear every few releases), an allow-list names what Python and ordinary tool code
need, and anything else fails with EPERM (an OSError in the tool, never a kill). Process and thread creation,
exec, sockets, ptrace, mount/namespaces, keyctl, bpf, perf_event_open, io_uring, userfaultfd, mknod, and the
pidfd calls are simply absent; `kill`/`tgkill`/`tkill` and `prlimit64` are allowed only on the process itself.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct

# --- Landlock (include/uapi/linux/landlock.h) -----------------------------------------------------------------------

_SYS_LANDLOCK_CREATE_RULESET, _SYS_LANDLOCK_ADD_RULE, _SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
_LANDLOCK_CREATE_RULESET_VERSION = 1
_LANDLOCK_RULE_PATH_BENEATH = 1
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_FS_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}  # + REFER, TRUNCATE, IOCTL
_FS_TRUNCATE, _FS_IOCTL_DEV = 1 << 14, 1 << 15
_FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | _FS_TRUNCATE | _FS_IOCTL_DEV  # a rule on a file: these
_NET_ALL = (1 << 0) | (1 << 1)          # bind and connect TCP (ABI 4)
_SCOPE_ALL = (1 << 0) | (1 << 1)        # abstract UNIX sockets and signals (ABI 6)
READ_ONLY = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR

# --- seccomp (include/uapi/linux/seccomp.h, filter.h, audit.h) -------------------------------------------------------

_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_AUDIT_ARCH_X86_64 = 0xC000003E
_X32_SYSCALL_BIT = 0x40000000
_RET_ALLOW, _RET_KILL_PROCESS = 0x7FFF0000, 0x80000000
_RET_EPERM = 0x00050000 | 1
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_ARCH_OFFSET, _NR_OFFSET, _ARG0_OFFSET = 4, 0, 16

# x86_64 numbers of what a Python process running ordinary tool code needs.
ALLOWED_SYSCALLS = {
    "read": 0, "write": 1, "readv": 19, "writev": 20, "pread64": 17, "pwrite64": 18, "preadv": 295,
    "pwritev": 296, "preadv2": 327, "pwritev2": 328, "open": 2, "openat": 257, "openat2": 437, "close": 3,
    "close_range": 436, "stat": 4, "fstat": 5, "lstat": 6, "newfstatat": 262, "statx": 332, "poll": 7,
    "ppoll": 271, "select": 23, "pselect6": 270, "lseek": 8, "mmap": 9, "mprotect": 10, "munmap": 11, "brk": 12,
    "mremap": 25, "madvise": 28, "msync": 26, "mincore": 27, "rt_sigaction": 13, "rt_sigprocmask": 14,
    "rt_sigreturn": 15, "rt_sigpending": 127, "rt_sigtimedwait": 128, "rt_sigsuspend": 130, "sigaltstack": 131,
    "ioctl": 16, "access": 21, "faccessat": 269, "faccessat2": 439, "pipe": 22, "pipe2": 293, "dup": 32,
    "dup2": 33, "dup3": 292, "fcntl": 72, "flock": 73, "fsync": 74, "fdatasync": 75, "truncate": 76,
    "ftruncate": 77, "getdents": 78, "getdents64": 217, "getcwd": 79, "chdir": 80, "fchdir": 81, "rename": 82,
    "renameat": 264, "renameat2": 316, "mkdir": 83, "mkdirat": 258, "rmdir": 84, "link": 86, "linkat": 265,
    "unlink": 87, "unlinkat": 263, "symlink": 88, "symlinkat": 266, "readlink": 89, "readlinkat": 267,
    "chmod": 90, "fchmod": 91, "fchmodat": 268, "umask": 95, "utimensat": 280, "utimes": 235, "futimesat": 261,
    "utime": 132, "gettimeofday": 96, "clock_gettime": 228, "clock_getres": 229, "clock_nanosleep": 230,
    "nanosleep": 35, "time": 201, "getpid": 39, "getppid": 110, "gettid": 186, "getuid": 102, "geteuid": 107,
    "getgid": 104, "getegid": 108, "getgroups": 115, "getresuid": 118, "getresgid": 120, "getpgrp": 111,
    "getpgid": 121, "getsid": 124, "getrlimit": 97, "setrlimit": 160, "getrusage": 98, "times": 100,
    "sysinfo": 99, "uname": 63, "getrandom": 318, "futex": 202, "set_robust_list": 273, "rseq": 334,
    "sched_yield": 24, "sched_getaffinity": 204, "exit": 60, "exit_group": 231, "restart_syscall": 219,
    "epoll_create1": 291, "epoll_ctl": 233, "epoll_wait": 232, "epoll_pwait": 281, "eventfd2": 290,
    "fadvise64": 221, "fallocate": 285, "getxattr": 191, "lgetxattr": 192, "fgetxattr": 193, "listxattr": 194,
    "llistxattr": 195, "flistxattr": 196, "statfs": 137, "fstatfs": 138, "sendfile": 40, "copy_file_range": 326,
    "arch_prctl": 158, "getcpu": 309, "alarm": 37, "setitimer": 38, "getitimer": 36, "pause": 34,
}
# Allowed only when the first argument (a pid) is the process itself (prlimit64: or 0, "myself").
SELF_ONLY_SYSCALLS = {"kill": 62, "tgkill": 234, "tkill": 200, "prlimit64": 302}

MIN_LANDLOCK_ABI = 3  # what sandbox="strict" needs: from ABI 3 Landlock also controls truncate(2)
# The test seam: make the probes below report less than the kernel has, as an older kernel would ("landlock_abi":
# n caps the ABI used, "seccomp": 0 hides it). Set from TOOLGYM_SANDBOX_PRETEND ("landlock_abi=2,seccomp=0") or
# by tests; the parent passes it to the zygote. The refusals and the weaker confinement that follow are real.
PRETEND_ENV = "TOOLGYM_SANDBOX_PRETEND"


def _parse_pretend(text: str) -> dict[str, int]:
    pretend = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, _, value = item.partition("=")
        if key not in ("landlock_abi", "seccomp") or not value.strip().isdigit():
            raise ValueError(f"{PRETEND_ENV}: expected items like 'landlock_abi=2' or 'seccomp=0', got {item!r}")
        pretend[key] = int(value)
    return pretend


PRETEND: dict[str, int] = _parse_pretend(os.environ.get(PRETEND_ENV, ""))

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class ConfinementError(OSError):
    """The kernel refused a confinement step (or lacks the feature)."""


def _syscall(number: int, *args: object) -> int:
    result = _libc.syscall(number, *args)
    if result < 0:
        errno = ctypes.get_errno()
        raise ConfinementError(errno, os.strerror(errno))
    return result


def landlock_abi() -> int:
    """The kernel's Landlock ABI version; 0 when it has none (or it is disabled)."""
    if platform.machine() != "x86_64":
        return 0
    try:
        abi = _syscall(_SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                       ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION))
    except ConfinementError:
        return 0
    return min(abi, PRETEND.get("landlock_abi", abi))


def seccomp_available() -> bool:
    """Whether seccomp filters with an errno action can be installed here."""
    if PRETEND.get("seccomp") == 0:
        return False
    try:
        with open("/proc/sys/kernel/seccomp/actions_avail") as f:
            return "errno" in f.read().split()
    except OSError:
        return False


def support() -> str | None:
    """None when this machine can confine a sandbox process with Landlock and seccomp; else why not."""
    if platform.system() != "Linux" or platform.machine() != "x86_64":
        return f"kernel confinement is implemented for Linux x86_64 only, not {platform.system()} " \
               f"{platform.machine()}"
    if (abi := landlock_abi()) < 1:
        return "the kernel has no Landlock (Linux >= 5.13 with landlock in the lsm= boot list)"
    if abi < MIN_LANDLOCK_ABI:
        return f"the kernel's Landlock is ABI {abi}; {MIN_LANDLOCK_ABI} (Linux >= 6.2) is needed to control file " \
               f"truncation"
    if not seccomp_available():
        return "the kernel has no seccomp filter support"
    return None


# --- applying it ----------------------------------------------------------------------------------------------------

def no_new_privileges() -> None:
    """PR_SET_NO_NEW_PRIVS: required for unprivileged Landlock and seccomp; also makes setuid binaries inert."""
    if _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise ConfinementError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")


def mount_tmpfs(path: str, size_mb: int, mode: int = 0o700, *, executable: bool = False) -> None:
    """Mount a private tmpfs of `size_mb` MB on `path` (needs a mount namespace of our own): for scratch, a bound
    on what sandboxed code can write in all, which RLIMIT_FSIZE (per file) is not."""
    flags = _MS_NOSUID | _MS_NODEV | (0 if executable else _MS_NOEXEC)
    _mount("tmpfs", path, "tmpfs", flags, f"size={size_mb}m,mode={mode:o}")


def remount_read_only(path: str) -> None:
    """Make the mount at `path` read-only (for this mount only: MS_BIND)."""
    _mount(None, path, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)


# --- the minimal root (mount(2), pivot_root(2); needs a mount namespace of our own) -------------------------------

_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_REMOUNT, _MS_BIND = 0x1, 0x2, 0x4, 0x8, 0x20, 0x1000
_MS_REC, _MS_PRIVATE, _MS_RELATIME = 0x4000, 0x40000, 0x200000
_ST_RELATIME = 0x1000
# statvfs flags that equal their mount flags (nosuid, nodev, noexec, synchronous, mandlock, noatime, nodiratime)
_KEPT_FLAGS = 0x2 | 0x4 | 0x8 | 0x10 | 0x40 | 0x400 | 0x800
_SYS_PIVOT_ROOT, _MNT_DETACH = 155, 0x2


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    encode = (lambda v: None if v is None else v.encode())
    if _libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)) != 0:
        errno = ctypes.get_errno()
        raise ConfinementError(errno, f"mount {target}: {os.strerror(errno)}")


def bind_read_only(source: str, target: str) -> None:
    """Bind `source` (a directory or a file) on `target`, read-only and nosuid. The remount keeps the flags the
    source's mount has: inside a user namespace those are locked, and dropping one is refused."""
    _mount(source, target, None, _MS_BIND)
    kept = os.statvfs(source).f_flag
    flags = (kept & _KEPT_FLAGS) | (_MS_RELATIME if kept & _ST_RELATIME else 0)
    _mount(None, target, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID | flags)


def pivot_into(new_root: str) -> None:
    """Make the mount `new_root` this process's `/` and detach the old root (pivot_root(".", ".") then a lazy
    unmount of what is stacked on top, as pivot_root(2) describes): no path leads to a host file any more."""
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE)  # nothing we do below may propagate to the host
    os.chdir(new_root)
    _syscall(_SYS_PIVOT_ROOT, b".", b".")
    detach(".")
    os.chdir("/")


def detach(path: str) -> None:
    """Lazily unmount what is mounted at `path` (MNT_DETACH: open files keep working)."""
    if _libc.umount2(path.encode(), _MNT_DETACH) != 0:
        errno = ctypes.get_errno()
        raise ConfinementError(errno, f"unmount {path}: {os.strerror(errno)}")


def parent_death_signal() -> None:
    """Be killed when the parent (the zygote) dies: PR_SET_PDEATHSIG, so no child outlives its pool."""
    _libc.prctl(1, 9, 0, 0, 0)


def drop_capabilities() -> None:
    """Clear every capability (root inside a user namespace has them all over files its uid maps to)."""
    header = struct.pack("Ii", 0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = bytes(24)                            # two zeroed (effective, permitted, inheritable) sets
    _syscall(126, ctypes.c_char_p(header), ctypes.c_char_p(data))


def landlock(read_only: list[str], read_write: list[str]) -> int:
    """Restrict the process's file access to `read_only` and `read_write` (paths that exist), forbid TCP bind and
    connect, and scope signals and abstract UNIX sockets to itself, as far as the kernel's ABI allows. Returns the
    ABI used."""
    abi = landlock_abi()
    if abi < 1:
        raise ConfinementError(0, "the kernel has no Landlock")
    fs_all = _FS_RIGHTS_BY_ABI[max(v for v in _FS_RIGHTS_BY_ABI if v <= abi)]
    attr = struct.pack("QQQ", fs_all, _NET_ALL if abi >= 4 else 0, _SCOPE_ALL if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    ruleset = _syscall(_SYS_LANDLOCK_CREATE_RULESET, ctypes.c_char_p(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    try:
        for paths, rights in ((read_only, READ_ONLY), (read_write, fs_all)):
            for path in paths:
                _add_path_rule(ruleset, path, rights & fs_all)
        _syscall(_SYS_LANDLOCK_RESTRICT_SELF, ruleset, ctypes.c_uint32(0))
    finally:
        os.close(ruleset)
    return abi


def _add_path_rule(ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # gone or unreadable: nothing to grant
    try:
        if not os.path.isdir(path):
            rights &= _FILE_RIGHTS
        rule = struct.pack("=Qi", rights, fd)  # struct landlock_path_beneath_attr is packed
        _syscall(_SYS_LANDLOCK_ADD_RULE, ruleset, ctypes.c_uint32(_LANDLOCK_RULE_PATH_BENEATH),
                 ctypes.c_char_p(rule), ctypes.c_uint32(0))
    finally:
        os.close(fd)


def seccomp_program(pid: int) -> bytes:
    """The BPF program: x86_64 only (else kill), the allow-list, the self-only calls checked against `pid`, and
    EPERM for everything else."""
    def ins(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
        return struct.pack("=HBBI", code, jt, jf, k)

    prog = [ins(_LD_W_ABS, _ARCH_OFFSET), ins(_JEQ_K, _AUDIT_ARCH_X86_64, 1, 0), ins(_RET_K, _RET_KILL_PROCESS),
            ins(_LD_W_ABS, _NR_OFFSET), ins(_JGE_K, _X32_SYSCALL_BIT, 0, 1), ins(_RET_K, _RET_KILL_PROCESS)]
    for number in sorted(ALLOWED_SYSCALLS.values()):
        prog += [ins(_JEQ_K, number, 0, 1), ins(_RET_K, _RET_ALLOW)]
    for name, number in SELF_ONLY_SYSCALLS.items():
        # nr == number? then compare the pid argument (its low 32 bits: the kernel reads a pid_t) and return
        zero_ok = 1 if name == "prlimit64" else 0
        block = [ins(_LD_W_ABS, _ARG0_OFFSET), ins(_JEQ_K, pid, 1 + zero_ok, 0)]
        if zero_ok:
            block.append(ins(_JEQ_K, 0, 1, 0))
        block += [ins(_RET_K, _RET_EPERM), ins(_RET_K, _RET_ALLOW)]
        prog += [ins(_JEQ_K, number, 0, len(block))] + block
    prog.append(ins(_RET_K, _RET_EPERM))
    return b"".join(prog)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def seccomp(pid: int) -> None:
    """Install `seccomp_program(pid)`; needs no_new_privileges() first. Irreversible for this process."""
    if PRETEND.get("seccomp") == 0:
        raise ConfinementError(38, "the kernel has no seccomp filter support")  # ENOSYS, as a kernel without it
    program = seccomp_program(pid)
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.addressof(buffer))
    if _libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise ConfinementError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")
