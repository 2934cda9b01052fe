/* XNU-shaped structs for the DWARF profile generator test: built with
 * clang-14 -target x86_64-apple-macos10.13 -g, linked with ld64.lld-14, and
 * turned into a .dSYM with dsymutil-14. Shapes follow xnu-4570 (macOS 10.13):
 * LIST_ENTRY/TAILQ as anonymous structs, queue_chain_t typedef, nested posix_cred,
 * the vm_map_entry bitfield word, a packed kmod_info, arrays, unions, enums. */
typedef unsigned int uid_t;
typedef unsigned long long vm_map_offset_t;
typedef int pid_t;
typedef struct queue_entry {
  struct queue_entry *next;
  struct queue_entry *prev;
} queue_chain_t;

#define LIST_ENTRY(type) struct { struct type *le_next; struct type **le_prev; }
#define TAILQ_ENTRY(type) struct { struct type *tqe_next; struct type **tqe_prev; }

struct timeval { long tv_sec; int tv_usec; };

struct posix_cred {
  uid_t cr_uid;
  uid_t cr_ruid;
  uid_t cr_svuid;
  short cr_ngroups;
  unsigned int cr_groups[16];
  unsigned int cr_rgid;
  unsigned int cr_svgid;
  uid_t cr_gmuid;
  int cr_flags;
};

struct ucred {
  TAILQ_ENTRY(ucred) cr_link;
  unsigned long cr_ref;
  struct posix_cred cr_posix;
  void *cr_label;
};

struct pmap {
  volatile unsigned int lock;
  unsigned long long pm_cr3;
  unsigned long long pm_ucr3;
};

struct vm_map_links {
  struct vm_map_entry *prev;
  struct vm_map_entry *next;
  vm_map_offset_t start;
  vm_map_offset_t end;
};

union vm_map_object {
  struct vm_object *vmo_object;
  struct _vm_map *vmo_submap;
};

typedef enum { VM_BEHAVIOR_DEFAULT, VM_BEHAVIOR_RANDOM } vm_behavior_t;

struct vm_map_entry {
  struct vm_map_links links;
  struct { void *rbe_left, *rbe_right, *rbe_parent; } store;
  union vm_map_object vme_object;
  unsigned long long vme_offset;
  unsigned int is_shared : 1, is_sub_map : 1, in_transition : 1, needs_wakeup : 1,
      behavior : 2, needs_copy : 1, protection : 3, max_protection : 3, inheritance : 2,
      use_pmap : 1, no_cache : 1, permanent : 1, superpage_size : 1, map_aligned : 1,
      zero_wired_pages : 1, used_for_jit : 1, from_reserved_zone : 1, iokit_acct : 1,
      vme_resilient_codesign : 1, vme_resilient_media : 1, vme_atomic : 1, __unused : 5;
  unsigned short wired_count;
  unsigned short user_wired_count;
};

struct vm_map_header {
  struct vm_map_links links;
  int nentries;
  int entries_pageable;
  struct { void *rbh_root; } rb_head_store;
  int page_shift;
};

struct _vm_map {
  unsigned long lock[2];
  struct vm_map_header hdr;
  struct pmap *pmap;
  unsigned long long size;
  int ref_count;
  vm_behavior_t default_behavior;
  unsigned long long wide_flags : 40, narrow : 3;
};

struct task {
  unsigned long lock[2];
  unsigned int ref_count;
  int active;
  int halting;
  struct _vm_map *map;
  queue_chain_t tasks;
  void *user_data;
  char pad[0x2d8];
  void *bsd_info;
};

struct proc {
  LIST_ENTRY(proc) p_list;
  pid_t p_pid;
  void *task;
  struct proc *p_pptr;
  pid_t p_ppid;
  unsigned long long p_uniqueid;
  struct ucred *p_ucred;
  unsigned int p_flag;
  struct timeval p_start;
  char p_comm[17];
  char p_name[33];
  char p_stat;
  union {
    struct { int a, b; } pair;
    long both;
  } p_anon;
  int grid[3][4];
};

#pragma pack(4)
typedef struct kmod_info {
  struct kmod_info *next;
  int info_version;
  unsigned int id;
  char name[64];
  char version[64];
  int reference_count;
  void *reference_list;
  unsigned long long address;
  unsigned long long size;
  unsigned long long hdr_size;
  void *start;
  void *stop;
} kmod_info_t;
#pragma pack()

struct msgbuf {
  int msg_magic;
  int msg_size;
  int msg_bufx;
  int msg_bufr;
  char *msg_bufc;
};

/* Definitions so every type reaches the debug info, and symbols for the table. */
struct proc kernproc_storage;
struct proc *allproc_first = &kernproc_storage;
struct { struct proc *lh_first; } allproc = {&kernproc_storage};
struct task kernel_task_storage;
struct _vm_map kernel_map_storage;
struct vm_map_entry an_entry;
struct ucred a_cred;
kmod_info_t *kmod;
struct msgbuf *msgbufp;
const char version[] = "Darwin Kernel Version 17.7.0: fake; root:xnu-4570.71.2~1/RELEASE_X86_64";
static int local_counter;

int proc_pid(struct proc *p) { return p->p_pid + local_counter; }
void start(void) { local_counter = proc_pid(allproc.lh_first); }
