// The syscall filter of the local sandbox: a classic BPF program for bubblewrap's `--seccomp FD`, built here.
// It refuses (EPERM) the calls a workspace command never needs and that widen the kernel's attack surface:
// namespaces, mounts, tracing, keyrings, eBPF, modules, kexec; clone3 answers ENOSYS so libc falls back to
// clone, whose namespace flags are refused. Any architecture but x86-64 is killed outright.

/** x86-64 syscall numbers refused with EPERM. */
export const DENIED_SYSCALLS: Readonly<Record<string, number>> = {
  ptrace: 101,
  syslog: 103,
  vhangup: 153,
  pivot_root: 155,
  chroot: 161,
  acct: 163,
  settimeofday: 164,
  mount: 165,
  umount2: 166,
  swapon: 167,
  swapoff: 168,
  reboot: 169,
  sethostname: 170,
  setdomainname: 171,
  iopl: 172,
  ioperm: 173,
  init_module: 175,
  delete_module: 176,
  quotactl: 179,
  lookup_dcookie: 212,
  kexec_load: 246,
  add_key: 248,
  request_key: 249,
  keyctl: 250,
  unshare: 272,
  perf_event_open: 298,
  name_to_handle_at: 303,
  open_by_handle_at: 304,
  setns: 308,
  process_vm_readv: 310,
  process_vm_writev: 311,
  finit_module: 313,
  kexec_file_load: 320,
  bpf: 321,
  userfaultfd: 323,
  io_uring_setup: 425,
  open_tree: 428,
  move_mount: 429,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  mount_setattr: 442,
};

const AUDIT_ARCH_X86_64 = 0xc000003e;
const X32_SYSCALL_BIT = 0x40000000;
const SYS_CLONE = 56;
const SYS_CLONE3 = 435;
/** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET | NEWTIME. */
const CLONE_NEW_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x80;
const EPERM = 1;
const ENOSYS = 38;

const RET_ALLOW = 0x7fff0000;
const RET_KILL_PROCESS = 0x80000000;
const retErrno = (errno: number) => 0x00050000 | errno;
// Classic BPF opcodes: BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K, BPF_JMP|BPF_JGE|BPF_K, BPF_JMP|BPF_JSET|BPF_K, BPF_RET|BPF_K.
const LD_ABS = 0x20;
const JEQ = 0x15;
const JGE = 0x35;
const JSET = 0x45;
const RET = 0x06;

type Instruction = [code: number, jt: number, jf: number, k: number];

/** The filter as `struct sock_filter[]` bytes (8 bytes an instruction, little-endian), for the running arch. */
export function seccompProgram(): Buffer {
  const program: Instruction[] = [
    [LD_ABS, 0, 0, 4], // seccomp_data.arch
    [JEQ, 1, 0, AUDIT_ARCH_X86_64],
    [RET, 0, 0, RET_KILL_PROCESS],
    [LD_ABS, 0, 0, 0], // seccomp_data.nr
    [JGE, 0, 1, X32_SYSCALL_BIT],
    [RET, 0, 0, retErrno(EPERM)],
    [JEQ, 0, 1, SYS_CLONE3],
    [RET, 0, 0, retErrno(ENOSYS)],
  ];
  for (const nr of Object.values(DENIED_SYSCALLS)) program.push([JEQ, 0, 1, nr], [RET, 0, 0, retErrno(EPERM)]);
  program.push(
    [JEQ, 0, 4, SYS_CLONE],
    [LD_ABS, 0, 0, 16], // low 32 bits of args[0], the clone flags
    [JSET, 0, 1, CLONE_NEW_FLAGS],
    [RET, 0, 0, retErrno(EPERM)],
    [RET, 0, 0, RET_ALLOW],
    [RET, 0, 0, RET_ALLOW],
  );
  const bytes = Buffer.alloc(program.length * 8);
  program.forEach(([code, jt, jf, k], i) => {
    bytes.writeUInt16LE(code, i * 8);
    bytes.writeUInt8(jt, i * 8 + 2);
    bytes.writeUInt8(jf, i * 8 + 3);
    bytes.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return bytes;
}

/** Whether the filter fits this machine (it is written for x86-64). */
export const seccompSupported = (): boolean => process.arch === "x64";
