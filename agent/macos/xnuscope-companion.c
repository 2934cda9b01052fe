/*
 * xnuscope-companion: publishes the guest's process list and the memory regions
 * of two processes as Layout A beacon pages (docs/beacons.md), for xnuscope's
 * beacon fallback when no kernel profile fits the guest. Build, signing and
 * security notes: docs/agent.md.
 *
 * Differences from the reference Haywire companion, on purpose:
 *  - every page is written inside a seqlock bracket (xb_page_begin bumps
 *    version_top, payload, xb_page_end sets version_bottom), data included;
 *  - no made-up PTEs: macOS has no pagemap, so no PTEs are published at all;
 *  - regions come from mach_vm_region (or proc_pidinfo when no task port);
 *  - beacon pages are wired (mlock) so they stay at one physical address.
 */
#include <errno.h>
#include <libproc.h>
#include <mach/mach.h>
#include <mach/mach_vm.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/proc_info.h>
#include <sys/sysctl.h>
#include <time.h>
#include <unistd.h>

#include "beacon_encoder.h"

#define MASTER_PAGES 1u
#define PID_PAGES 16u    /* 16 * 84 = 1344 processes */
#define CAMERA_PAGES 64u /* control + 63 data pages = 2600 sections */
#define AREA_PAGES (MASTER_PAGES + PID_PAGES + 2u * CAMERA_PAGES)
#define MAX_PROCESSES (PID_PAGES * XB_MAX_PIDS_PER_PAGE)

static volatile sig_atomic_t keep_running = 1;

static void on_signal(int signo) {
  (void)signo;
  keep_running = 0;
}

typedef struct beacon_area {
  uint8_t* base;
  size_t size;
  uint32_t session_id;
} beacon_area;

static uint8_t* area_page(const beacon_area* area, uint32_t page) {
  return area->base + (size_t)page * XB_PAGE_SIZE;
}
static uint8_t* master_page(const beacon_area* a) { return area_page(a, 0); }
static uint8_t* pid_page(const beacon_area* a, uint32_t i) {
  return area_page(a, MASTER_PAGES + i);
}
static uint8_t* camera_page(const beacon_area* a, uint32_t camera, uint32_t i) {
  return area_page(a, MASTER_PAGES + PID_PAGES + camera * CAMERA_PAGES + i);
}

/* Anonymous, page-aligned, wired memory: wired pages are neither paged out nor
 * moved, so the host finds one copy of each page at a stable physical address. */
static int area_open(beacon_area* area) {
  area->size = (size_t)AREA_PAGES * XB_PAGE_SIZE;
  void* mem = mmap(NULL, area->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);
  if (mem == MAP_FAILED) {
    fprintf(stderr, "xnuscope-companion: mmap of %zu bytes failed: %s\n", area->size,
            strerror(errno));
    return -1;
  }
  area->base = (uint8_t*)mem;
  memset(area->base, 0, area->size); /* touch every page before wiring */
  if (mlock(area->base, area->size) != 0) {
    fprintf(stderr,
            "xnuscope-companion: mlock failed (%s): pages may be paged out or moved; "
            "run as root\n",
            strerror(errno));
  }
  area->session_id = (uint32_t)getpid();
  return 0;
}

/* Withdraws the beacons: every page loses its magic first (inside a bracket, so
 * a concurrent reader sees a torn page rather than a half-cleared one). */
static void area_close(beacon_area* area) {
  uint32_t i;
  for (i = 0; i < AREA_PAGES; ++i) {
    uint8_t* page = area_page(area, i);
    xb_page_begin(page);
    memset(page + XB_OFF_MAGIC, 0, 4);
    memset(page + XB_OFF_SESSION, 0, XB_OFF_VERSION_BOTTOM - XB_OFF_SESSION);
    xb_page_end(page);
  }
  memset(area->base, 0, area->size);
  munlock(area->base, area->size);
  munmap(area->base, area->size);
  area->base = NULL;
}

static char state_letter(char p_stat) {
  switch (p_stat) {
    case SIDL:
      return 'I';
    case SRUN:
      return 'R';
    case SSLEEP:
      return 'S';
    case SSTOP:
      return 'T';
    case SZOMB:
      return 'Z';
    default:
      return '?';
  }
}

/* Fills `out` with up to `max` processes; returns the count, or -1. */
static int collect_processes(xb_pid_entry* out, int max) {
  int mib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_ALL, 0};
  size_t size = 0;
  struct kinfo_proc* procs = NULL;
  int attempt, count, i, n = 0;
  /* The list can grow between the size query and the read: retry with slack. */
  for (attempt = 0; attempt < 4; ++attempt) {
    if (sysctl(mib, 4, NULL, &size, NULL, 0) != 0) return -1;
    size += size / 8 + sizeof(struct kinfo_proc) * 16;
    procs = (struct kinfo_proc*)malloc(size);
    if (procs == NULL) return -1;
    if (sysctl(mib, 4, procs, &size, NULL, 0) == 0) break;
    free(procs);
    procs = NULL;
    if (errno != ENOMEM) return -1;
  }
  if (procs == NULL) return -1;
  count = (int)(size / sizeof(struct kinfo_proc));
  for (i = 0; i < count && n < max; ++i) {
    const struct kinfo_proc* kp = &procs[i];
    xb_pid_entry* e = &out[n];
    struct proc_taskinfo task;
    memset(e, 0, sizeof *e);
    e->pid = (uint32_t)kp->kp_proc.p_pid;
    e->ppid = (uint32_t)kp->kp_eproc.e_ppid;
    e->uid = (uint32_t)kp->kp_eproc.e_ucred.cr_uid;
    e->gid = (uint32_t)kp->kp_eproc.e_pcred.p_rgid;
    if (proc_pidinfo(kp->kp_proc.p_pid, PROC_PIDTASKINFO, 0, &task, sizeof task) ==
        (int)sizeof task) {
      e->rss_kb = task.pti_resident_size / 1024;
    }
    /* p_comm is at most MAXCOMLEN (16) bytes and may lack a NUL; the encoder
     * truncates to 15 bytes + NUL. */
    memcpy(e->comm, kp->kp_proc.p_comm, sizeof e->comm);
    e->comm[sizeof e->comm - 1] = '\0';
    e->state = state_letter(kp->kp_proc.p_stat);
    ++n;
  }
  free(procs);
  return n;
}

static uint32_t perms_of(vm_prot_t protection, int shared) {
  uint32_t perms = 0;
  if (protection & VM_PROT_READ) perms |= XB_PERM_READ;
  if (protection & VM_PROT_WRITE) perms |= XB_PERM_WRITE;
  if (protection & VM_PROT_EXECUTE) perms |= XB_PERM_EXEC;
  perms |= shared ? XB_PERM_SHARED : XB_PERM_PRIVATE;
  return perms;
}

/* Writes one camera: control page, then the target's regions streamed over data
 * pages 1.. (each page under its own bracket, chained with continuation = 1). */
typedef struct camera_writer {
  const beacon_area* area;
  uint32_t camera; /* 0 or 1 */
  uint32_t target_pid;
  uint32_t timestamp;
  uint32_t index; /* current data page */
  xb_camera_stream stream;
  int full;
} camera_writer;

static void camera_open_page(camera_writer* w) {
  uint8_t* page = camera_page(w->area, w->camera, w->index);
  xb_page_begin(page);
  xb_write_header(page, w->area->session_id, XB_CATEGORY_CAMERA1 + w->camera, w->index,
                  w->timestamp);
  xb_camera_stream_start(&w->stream, page, w->target_pid);
}

static void camera_add(camera_writer* w, const xb_section* section) {
  if (w->full) return;
  if (xb_camera_add_section(&w->stream, section)) return;
  if (w->index + 1 >= CAMERA_PAGES) { /* out of pages: the stream ends here */
    w->full = 1;
    return;
  }
  xb_camera_stream_finish(&w->stream, 1);
  xb_page_end(w->stream.page);
  w->index++;
  camera_open_page(w);
  xb_camera_add_section(&w->stream, section);
}

static void section_path(uint32_t pid, uint64_t address, char* path, size_t size) {
  path[0] = '\0';
  if (proc_regionfilename((int)pid, address, path, (uint32_t)size) <= 0) path[0] = '\0';
}

/* Regions through the task port (needs root; SIP refuses platform binaries). */
static int regions_via_task(camera_writer* w) {
  mach_port_t task = MACH_PORT_NULL;
  mach_vm_address_t address = 0;
  int regions = 0;
  if (task_for_pid(mach_task_self(), (int)w->target_pid, &task) != KERN_SUCCESS) return -1;
  for (;;) {
    mach_vm_size_t size = 0;
    vm_region_basic_info_data_64_t info;
    mach_msg_type_number_t count = VM_REGION_BASIC_INFO_COUNT_64;
    mach_port_t object = MACH_PORT_NULL;
    xb_section section;
    if (mach_vm_region(task, &address, &size, VM_REGION_BASIC_INFO_64, (vm_region_info_t)&info,
                       &count, &object) != KERN_SUCCESS) {
      break; /* KERN_INVALID_ADDRESS: past the last region */
    }
    if (object != MACH_PORT_NULL) mach_port_deallocate(mach_task_self(), object);
    memset(&section, 0, sizeof section);
    section.pid = w->target_pid;
    section.va_start = address;
    section.va_end = address + size;
    section.perms = perms_of(info.protection, info.shared);
    section_path(w->target_pid, address, section.path, sizeof section.path);
    camera_add(w, &section);
    ++regions;
    if (size == 0 || address + size < address) break; /* no progress or wrap: stop */
    address += size;
  }
  mach_port_deallocate(mach_task_self(), task);
  return regions;
}

/* Regions without a task port, through libproc (root can read most processes). */
static int regions_via_libproc(camera_writer* w) {
  uint64_t address = 0;
  int regions = 0;
  for (;;) {
    struct proc_regionwithpathinfo info;
    xb_section section;
    int got = proc_pidinfo((int)w->target_pid, PROC_PIDREGIONPATHINFO, address, &info, sizeof info);
    if (got != (int)sizeof info || info.prp_prinfo.pri_size == 0) break;
    memset(&section, 0, sizeof section);
    section.pid = w->target_pid;
    section.va_start = info.prp_prinfo.pri_address;
    section.va_end = info.prp_prinfo.pri_address + info.prp_prinfo.pri_size;
    section.perms = perms_of((vm_prot_t)info.prp_prinfo.pri_protection,
                             info.prp_prinfo.pri_share_mode == SM_SHARED ||
                                 info.prp_prinfo.pri_share_mode == SM_TRUESHARED);
    strncpy(section.path, info.prp_vip.vip_path, sizeof section.path - 1);
    camera_add(w, &section);
    ++regions;
    if (section.va_end <= address) break; /* no progress: stop */
    address = section.va_end;
  }
  return regions;
}

static void publish_camera(const beacon_area* area, uint32_t camera, uint32_t target_pid,
                           uint32_t timestamp) {
  camera_writer w;
  uint8_t* control = camera_page(area, camera, 0);
  memset(&w, 0, sizeof w);
  w.area = area;
  w.camera = camera;
  w.target_pid = target_pid;
  w.timestamp = timestamp;
  w.index = 1;

  xb_page_begin(control);
  xb_write_header(control, area->session_id, XB_CATEGORY_CAMERA1 + camera, 0, timestamp);
  xb_write_camera_control(control, target_pid, target_pid ? 2u : 0u, target_pid);
  xb_page_end(control);
  if (target_pid == 0) return;

  camera_open_page(&w);
  if (regions_via_task(&w) < 0) regions_via_libproc(&w);
  xb_camera_stream_finish(&w.stream, 0);
  xb_page_end(w.stream.page);
}

static void publish(const beacon_area* area, const xb_pid_entry* procs, int count,
                    uint32_t generation, uint32_t camera1_pid, uint32_t camera2_pid) {
  const uint32_t now = (uint32_t)time(NULL);
  const uint32_t counts[XB_CATEGORY_COUNT] = {MASTER_PAGES, PID_PAGES, CAMERA_PAGES, CAMERA_PAGES};
  uint32_t page, written = 0;

  /* Every PID page carries this generation, unused ones with no entries, so no
   * stale process survives in the area. */
  for (page = 0; page < PID_PAGES; ++page) {
    uint8_t* p = pid_page(area, page);
    xb_page_begin(p);
    xb_write_header(p, area->session_id, XB_CATEGORY_PID, page, now);
    written += xb_write_pid_page(p, generation, (uint32_t)count, procs + written,
                                 (uint32_t)count - written);
    xb_page_end(p);
  }
  publish_camera(area, 0, camera1_pid, now);
  publish_camera(area, 1, camera2_pid, now);

  /* The master page last: its timestamp tells readers this session is alive. */
  xb_page_begin(master_page(area));
  xb_write_header(master_page(area), area->session_id, XB_CATEGORY_MASTER, 0, now);
  xb_write_master(master_page(area), counts);
  xb_page_end(master_page(area));
}

static void usage(const char* argv0) {
  fprintf(stderr,
          "usage: %s [-i SECONDS] [-p PID] [-n COUNT]\n"
          "  -i  refresh interval in seconds (default 1)\n"
          "  -p  pid whose regions camera 1 publishes (default 1, launchd);\n"
          "      camera 2 cycles through all processes, one per refresh\n"
          "  -n  stop after COUNT refreshes (default 0: until SIGINT/SIGTERM)\n",
          argv0);
}

int main(int argc, char** argv) {
  unsigned interval = 1, limit = 0, refreshes = 0;
  uint32_t camera1_pid = 1, generation = 0;
  size_t round_robin = 0;
  beacon_area area;
  xb_pid_entry* procs;
  struct sigaction action;
  int opt;

  while ((opt = getopt(argc, argv, "i:p:n:h")) != -1) {
    switch (opt) {
      case 'i':
        interval = (unsigned)strtoul(optarg, NULL, 10);
        break;
      case 'p':
        camera1_pid = (uint32_t)strtoul(optarg, NULL, 10);
        break;
      case 'n':
        limit = (unsigned)strtoul(optarg, NULL, 10);
        break;
      default:
        usage(argv[0]);
        return opt == 'h' ? 0 : 2;
    }
  }
  if (interval == 0) interval = 1;
  if (geteuid() != 0) {
    fprintf(stderr,
            "xnuscope-companion: not running as root: pages cannot be wired and other "
            "users' regions are unreadable\n");
  }

  memset(&action, 0, sizeof action);
  action.sa_handler = on_signal; /* no SA_RESTART: sleep() returns early */
  sigaction(SIGINT, &action, NULL);
  sigaction(SIGTERM, &action, NULL);

  procs = (xb_pid_entry*)calloc(MAX_PROCESSES, sizeof *procs);
  if (procs == NULL || area_open(&area) != 0) return 1;
  printf("xnuscope-companion: session %u, %u beacon pages at %p\n", area.session_id, AREA_PAGES,
         (void*)area.base);
  fflush(stdout);

  while (keep_running) {
    int count = collect_processes(procs, (int)MAX_PROCESSES);
    uint32_t camera2_pid = 0;
    if (count < 0) {
      fprintf(stderr, "xnuscope-companion: sysctl KERN_PROC_ALL failed: %s\n", strerror(errno));
      count = 0;
    }
    if (count > 0) camera2_pid = procs[round_robin++ % (size_t)count].pid;
    publish(&area, procs, count, ++generation, camera1_pid, camera2_pid);
    if (limit != 0 && ++refreshes >= limit) break;
    if (keep_running) sleep(interval);
  }

  area_close(&area);
  free(procs);
  printf("xnuscope-companion: beacons withdrawn\n");
  return 0;
}
