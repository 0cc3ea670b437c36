/* An emulated UVC camera for the test suite: an LD_PRELOAD library that
 * answers open/stat/ioctl/mmap/poll/close for the device nodes named in its
 * configuration, so the daemon's real V4L2 code (daemon/camera/v4l2_*) and
 * the real libv4l2/libv4lconvert run against it unchanged. libv4l2 talks to
 * the device through syscall(SYS_ioctl / SYS_mmap / SYS_close), so syscall()
 * is wrapped as well as the libc entry points.
 *
 * Configuration: FACEAUTH_EMULATED_CAMERA names a file of "key = value"
 * lines; each "device" line starts a node:
 *   device  = /dev/video-emulated0   the node's path (nothing is created)
 *   kind    = webcam | ir            webcam: YUYV 640x480, 320x240, 1280x720
 *                                    and MJPEG 640x480, 1280x720; ir: GREY
 *                                    640x480 and 640x360
 *   frames  = DIR                    recorded material: the JPEG files of DIR
 *                                    in name order, looped, fitted to the size;
 *                                    read again at an open after DIR changed
 *   control = DIR                    fault switches, checked on every call:
 *                                    busy (open fails EBUSY), busy-streaming
 *                                    (S_FMT/REQBUFS fail EBUSY), unplugged
 *                                    (the node is gone: ENODEV / ENOENT),
 *                                    stuck (streams but no frame ever comes),
 *                                    emitter-steady (IR: lit in every frame, as
 *                                    by ambient infrared, no strobe)
 *   events  = FILE                   one line appended per open, streamon,
 *                                    streamoff, close and delivered frame
 *   warmup  = N                      dark frames after each STREAMON (default 3)
 *   emitter = always | alternate     ir only: alternate lights every other frame
 *   emitter_control = U:S:HEX        ir only: the emitter stays off (every frame
 *                                    dark) until UVCIOC_CTRL_QUERY SET_CUR sets
 *                                    unit U, selector S to these bytes on the
 *                                    open file; a close turns it off again
 *   usb_id  = vvvv:pppp              served as idVendor/idProduct under
 *                                    /sys/dev/char/81:MINOR/device/../
 *   fps     = N                      frame rate until S_PARM changes it (30)
 * Frames are paced by the monotonic clock from STREAMON; a frame that finds
 * no queued buffer is dropped, as a UVC driver does.
 *
 * What it cannot show: real drivers' quirks (bogus sizeimage, corrupt MJPEG
 * from a flaky USB link, controls, suspend/resume of the USB device). See
 * docs/testing.md. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <linux/usb/video.h>
#include <linux/uvcvideo.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <jpeglib.h>

#define MAX_DEVICES 4
#define MAX_FDS 4096
#define MAX_BUFFERS 16

enum kind { KIND_WEBCAM, KIND_IR };

struct mode {
  uint32_t fourcc;
  int width, height;
  int max_fps;
};

static const struct mode webcam_modes[] = {
    {V4L2_PIX_FMT_YUYV, 640, 480, 30},   {V4L2_PIX_FMT_YUYV, 320, 240, 30},
    {V4L2_PIX_FMT_YUYV, 1280, 720, 10},  {V4L2_PIX_FMT_MJPEG, 640, 480, 30},
    {V4L2_PIX_FMT_MJPEG, 1280, 720, 30},
};
static const struct mode ir_modes[] = {
    {V4L2_PIX_FMT_GREY, 640, 480, 30},
    {V4L2_PIX_FMT_GREY, 640, 360, 30},
};

struct picture {  // one decoded frame of the recorded material, RGB
  int width, height;
  unsigned char* rgb;
};

struct device {
  char path[256];
  enum kind kind;
  char frames_dir[512];
  char control_dir[512];
  char events_path[512];
  int warmup;
  int alternate;
  int control_unit, control_selector;  // emitter_control, 0 when none is needed
  unsigned char control_data[64];
  int control_size;
  int emitter_on;  // the control was set on the streaming file
  char usb_vendor[8], usb_product[8];
  int fps;
  int minor;
  // material, decoded at the first open
  struct picture* pictures;
  int picture_count;
  struct timespec loaded_mtime;  // of frames_dir when the pictures were read
  int loaded;
  // the negotiated format (per device, as in uvcvideo)
  struct mode mode;
  // buffers and streaming: owned by one open file at a time
  int owner_fd;
  int memfd;
  unsigned buffer_count;
  size_t buffer_size;      // page-aligned size of one buffer in the memfd
  unsigned char* buffers;  // our own view of all buffers
  int queued[MAX_BUFFERS];
  int queue_order[MAX_BUFFERS];  // FIFO of queued buffer indices
  int queue_len;
  int done[MAX_BUFFERS];  // FIFO of filled buffer indices
  int done_len;
  uint32_t bytesused[MAX_BUFFERS];
  uint32_t sequence[MAX_BUFFERS];
  struct timespec stamp[MAX_BUFFERS];
  int streaming;
  double stream_start;
  uint64_t next_seq;
};

static struct device devices[MAX_DEVICES];
static int device_count;
static struct device* fd_device[MAX_FDS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int configured;  // 1 once the configuration is read (or there is none)

// ---------------------------------------------------------------- the real functions

static long (*real_syscall)(long, ...);
static int (*real_open)(const char*, int, ...);
static int (*real_openat)(int, const char*, int, ...);
static int (*real_close)(int);
static int (*real_ioctl)(int, unsigned long, ...);
static int (*real_poll)(struct pollfd*, nfds_t, int);
static int (*real_stat)(const char*, struct stat*);
static int (*real_lstat)(const char*, struct stat*);
static int (*real_fstatat)(int, const char*, struct stat*, int);

static void resolve(void) {
  if (real_syscall) return;
  real_open = dlsym(RTLD_NEXT, "open");
  real_openat = dlsym(RTLD_NEXT, "openat");
  real_close = dlsym(RTLD_NEXT, "close");
  real_ioctl = dlsym(RTLD_NEXT, "ioctl");
  real_poll = dlsym(RTLD_NEXT, "poll");
  real_stat = dlsym(RTLD_NEXT, "stat");
  real_lstat = dlsym(RTLD_NEXT, "lstat");
  real_fstatat = dlsym(RTLD_NEXT, "fstatat");
  real_syscall = dlsym(RTLD_NEXT, "syscall");
}

// ---------------------------------------------------------------- configuration

static char* trim(char* s) {
  while (*s == ' ' || *s == '\t') ++s;
  char* e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) *--e = 0;
  return s;
}

static void die(const char* what, const char* detail) {
  fprintf(stderr, "emulated camera: %s: %s\n", what, detail);
  abort();
}

// Reads the configuration; returns 0 while none is named or the file named
// does not exist yet (a test may write it, and set the variable, after its
// process started), 1 when done.
static int load_config(void) {
  resolve();
  const char* path = getenv("FACEAUTH_EMULATED_CAMERA");
  if (!path || !*path) return 0;
  FILE* f = fopen(path, "re");
  if (!f && errno == ENOENT) return 0;
  if (!f) die("cannot read the configuration named by FACEAUTH_EMULATED_CAMERA", path);
  char line[1024];
  int lineno = 0;
  struct device* d = NULL;
  while (fgets(line, sizeof line, f)) {
    ++lineno;
    char* s = trim(line);
    if (!*s || *s == '#') continue;
    char* eq = strchr(s, '=');
    if (!eq) die("line without '='", s);
    *eq = 0;
    char* key = trim(s);
    char* value = trim(eq + 1);
    if (strcmp(key, "device") == 0) {
      if (device_count == MAX_DEVICES) die("too many devices", value);
      d = &devices[device_count];
      memset(d, 0, sizeof *d);
      snprintf(d->path, sizeof d->path, "%s", value);
      d->warmup = 3;
      d->fps = 30;
      d->owner_fd = -1;
      d->memfd = -1;
      d->minor = 200 + device_count;
      d->kind = KIND_WEBCAM;
      ++device_count;
      continue;
    }
    if (!d) die("a key before the first 'device' line", key);
    if (strcmp(key, "kind") == 0) {
      if (strcmp(value, "webcam") == 0)
        d->kind = KIND_WEBCAM;
      else if (strcmp(value, "ir") == 0)
        d->kind = KIND_IR;
      else
        die("kind must be webcam or ir", value);
    } else if (strcmp(key, "frames") == 0) {
      snprintf(d->frames_dir, sizeof d->frames_dir, "%s", value);
    } else if (strcmp(key, "control") == 0) {
      snprintf(d->control_dir, sizeof d->control_dir, "%s", value);
    } else if (strcmp(key, "events") == 0) {
      snprintf(d->events_path, sizeof d->events_path, "%s", value);
    } else if (strcmp(key, "warmup") == 0) {
      d->warmup = atoi(value);
    } else if (strcmp(key, "fps") == 0) {
      d->fps = atoi(value);
      if (d->fps < 1 || d->fps > 120) die("fps must be 1..120", value);
    } else if (strcmp(key, "emitter_control") == 0) {
      char hex[160];
      if (sscanf(value, "%d:%d:%159s", &d->control_unit, &d->control_selector, hex) != 3)
        die("emitter_control must be UNIT:SELECTOR:HEXBYTES", value);
      d->control_size = 0;
      for (size_t i = 0; hex[i] && hex[i + 1] && d->control_size < 64; i += 2) {
        unsigned v;
        if (sscanf(hex + i, "%2x", &v) != 1) die("emitter_control bytes must be hexadecimal", value);
        d->control_data[d->control_size++] = (unsigned char)v;
      }
    } else if (strcmp(key, "usb_id") == 0) {
      if (sscanf(value, "%4[0-9a-fA-F]:%4[0-9a-fA-F]", d->usb_vendor, d->usb_product) != 2)
        die("usb_id must be vvvv:pppp", value);
    } else if (strcmp(key, "emitter") == 0) {
      if (strcmp(value, "alternate") == 0)
        d->alternate = 1;
      else if (strcmp(value, "always") == 0)
        d->alternate = 0;
      else
        die("emitter must be always or alternate", value);
    } else {
      die("unknown key", key);
    }
  }
  fclose(f);
  for (int i = 0; i < device_count; ++i) {
    const struct mode* m = devices[i].kind == KIND_IR ? &ir_modes[0] : &webcam_modes[0];
    devices[i].mode = *m;
  }
  return 1;
}

static void init(void) {
  if (configured) return;
  pthread_mutex_lock(&config_lock);
  if (!configured) configured = load_config();
  pthread_mutex_unlock(&config_lock);
}

static struct device* device_at(const char* path) {
  if (!path) return NULL;
  init();
  for (int i = 0; i < device_count; ++i)
    if (strcmp(devices[i].path, path) == 0) return &devices[i];
  return NULL;
}

static struct device* device_of(int fd) {
  if (fd < 0 || fd >= MAX_FDS) return NULL;
  return fd_device[fd];
}

static int switched_on(const struct device* d, const char* name) {
  if (!d->control_dir[0]) return 0;
  char p[640];
  snprintf(p, sizeof p, "%s/%s", d->control_dir, name);
  struct stat st;
  return real_stat(p, &st) == 0;
}

static void event(const struct device* d, const char* fmt, ...) {
  if (!d->events_path[0]) return;
  char line[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > (int)sizeof line - 2) n = sizeof line - 2;
  line[n++] = '\n';
  int fd = real_open(d->events_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  ssize_t w = write(fd, line, (size_t)n);
  (void)w;
  real_close(fd);
}

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

// ---------------------------------------------------------------- the recorded material

struct jpeg_failure {
  struct jpeg_error_mgr mgr;
  jmp_buf back;
};

static void jpeg_fail(j_common_ptr cinfo) { longjmp(((struct jpeg_failure*)cinfo->err)->back, 1); }

static int decode_jpeg(const char* path, struct picture* out) {
  FILE* f = fopen(path, "rbe");
  if (!f) return -1;
  struct jpeg_decompress_struct c;
  struct jpeg_failure err;
  c.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpeg_fail;
  out->rgb = NULL;
  if (setjmp(err.back)) {
    jpeg_destroy_decompress(&c);
    fclose(f);
    free(out->rgb);
    out->rgb = NULL;
    return -1;
  }
  jpeg_create_decompress(&c);
  jpeg_stdio_src(&c, f);
  jpeg_read_header(&c, TRUE);
  c.out_color_space = JCS_RGB;
  jpeg_start_decompress(&c);
  if (c.output_components != 3) longjmp(err.back, 1);
  out->width = (int)c.output_width;
  out->height = (int)c.output_height;
  out->rgb = malloc((size_t)out->width * out->height * 3);
  if (!out->rgb) longjmp(err.back, 1);
  while (c.output_scanline < c.output_height) {
    JSAMPROW row = out->rgb + (size_t)c.output_scanline * out->width * 3;
    jpeg_read_scanlines(&c, &row, 1);
  }
  jpeg_finish_decompress(&c);
  jpeg_destroy_decompress(&c);
  fclose(f);
  return 0;
}

static int by_name(const struct dirent** a, const struct dirent** b) {
  return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_jpeg_name(const struct dirent* e) {
  const char* dot = strrchr(e->d_name, '.');
  return dot && (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0);
}

// Reads the material at an open when the folder changed since the last read
// (a test shows other frames by changing the folder's files).
static void load_material(struct device* d) {
  if (!d->frames_dir[0]) return;
  struct stat st;
  if (real_stat(d->frames_dir, &st) != 0) st.st_mtim.tv_sec = st.st_mtim.tv_nsec = -1;
  if (d->loaded && st.st_mtim.tv_sec == d->loaded_mtime.tv_sec &&
      st.st_mtim.tv_nsec == d->loaded_mtime.tv_nsec)
    return;
  for (int i = 0; i < d->picture_count; ++i) free(d->pictures[i].rgb);
  free(d->pictures);
  d->pictures = NULL;
  d->picture_count = 0;
  d->loaded = 1;
  d->loaded_mtime = st.st_mtim;
  struct dirent** names = NULL;
  int n = scandir(d->frames_dir, &names, is_jpeg_name, by_name);
  if (n < 0) {
    fprintf(stderr, "emulated camera %s: cannot list frames %s: %s\n", d->path, d->frames_dir,
            strerror(errno));
    return;
  }
  d->pictures = calloc((size_t)(n ? n : 1), sizeof *d->pictures);
  for (int i = 0; i < n; ++i) {
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", d->frames_dir, names[i]->d_name);
    if (decode_jpeg(p, &d->pictures[d->picture_count]) == 0)
      ++d->picture_count;
    else
      fprintf(stderr, "emulated camera %s: cannot decode %s\n", d->path, p);
    free(names[i]);
  }
  free(names);
}

// Renders frame `seq` of the stream into RGB at the negotiated size: the
// picture fitted into the frame (aspect kept, grey borders), darkened for a
// warm-up frame or an emitter-off IR frame.
static void render_rgb(struct device* d, uint64_t seq, unsigned char* rgb, int w, int h) {
  int dim = 0;
  if (seq < (uint64_t)d->warmup)
    dim = 16;  // warm-up: auto-exposure not settled
  else if (d->kind == KIND_IR && d->control_unit && !d->emitter_on)
    dim = 8;  // never lit
  else if (d->kind == KIND_IR && d->alternate && (seq % 2) == 1 && !switched_on(d, "emitter-steady"))
    dim = 8;  // emitter off
  const struct picture* p = NULL;
  if (d->picture_count > 0) {
    uint64_t index = seq < (uint64_t)d->warmup ? 0 : seq - (uint64_t)d->warmup;
    if (d->alternate && d->kind == KIND_IR) index /= 2;  // a pair shows the same scene
    p = &d->pictures[index % (uint64_t)d->picture_count];
  }
  if (!p) {
    memset(rgb, dim ? 4 : 128, (size_t)w * h * 3);
    return;
  }
  // scale = min(w / pw, h / ph) in 1/1024 units, nearest-neighbour sampling
  const int64_t sx = ((int64_t)w << 10) / p->width, sy = ((int64_t)h << 10) / p->height;
  const int64_t s = sx < sy ? sx : sy;
  const int fw = (int)((p->width * s) >> 10), fh = (int)((p->height * s) >> 10);
  const int x0 = (w - fw) / 2, y0 = (h - fh) / 2;
  for (int y = 0; y < h; ++y) {
    unsigned char* row = rgb + (size_t)y * w * 3;
    const int py = (y - y0) * p->height / (fh ? fh : 1);
    for (int x = 0; x < w; ++x) {
      const int px = (x - x0) * p->width / (fw ? fw : 1);
      unsigned char* out = row + (size_t)x * 3;
      if (y < y0 || y >= y0 + fh || x < x0 || x >= x0 + fw || px < 0 || py < 0 || px >= p->width ||
          py >= p->height) {
        out[0] = out[1] = out[2] = 110;
      } else {
        memcpy(out, p->rgb + ((size_t)py * p->width + px) * 3, 3);
      }
      if (dim) {
        out[0] = (unsigned char)(out[0] / dim);
        out[1] = (unsigned char)(out[1] / dim);
        out[2] = (unsigned char)(out[2] / dim);
      }
    }
  }
}

static unsigned char clamp8(int v) { return (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v); }

// BT.601 limited range, what UVC webcams send.
static void rgb_to_yuv(const unsigned char* p, int* y, int* u, int* v) {
  *y = ((66 * p[0] + 129 * p[1] + 25 * p[2] + 128) >> 8) + 16;
  *u = ((-38 * p[0] - 74 * p[1] + 112 * p[2] + 128) >> 8) + 128;
  *v = ((112 * p[0] - 94 * p[1] - 18 * p[2] + 128) >> 8) + 128;
}

static uint32_t encode_mjpeg(const unsigned char* rgb, int w, int h, unsigned char* dst, size_t capacity) {
  struct jpeg_compress_struct c;
  struct jpeg_failure err;
  c.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpeg_fail;
  unsigned char* volatile mem = NULL;
  unsigned long size = 0;
  if (setjmp(err.back)) {
    jpeg_destroy_compress(&c);
    free(mem);
    return 0;
  }
  jpeg_create_compress(&c);
  jpeg_mem_dest(&c, (unsigned char**)&mem, &size);
  c.image_width = (JDIMENSION)w;
  c.image_height = (JDIMENSION)h;
  c.input_components = 3;
  c.in_color_space = JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, 85, TRUE);
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = (JSAMPROW)(rgb + (size_t)c.next_scanline * w * 3);
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  uint32_t used = 0;
  if (mem && size <= capacity) {
    memcpy(dst, mem, size);
    used = (uint32_t)size;
  }
  free(mem);
  return used;
}

static size_t frame_bytes(const struct mode* m) {
  switch (m->fourcc) {
    case V4L2_PIX_FMT_YUYV: return (size_t)m->width * m->height * 2;
    case V4L2_PIX_FMT_GREY: return (size_t)m->width * m->height;
    default: return (size_t)m->width * m->height * 2;  // MJPEG: the UVC max frame size
  }
}

static uint32_t fill_buffer(struct device* d, uint64_t seq, unsigned char* dst, size_t capacity) {
  const int w = d->mode.width, h = d->mode.height;
  unsigned char* rgb = malloc((size_t)w * h * 3);
  if (!rgb) return 0;
  render_rgb(d, seq, rgb, w, h);
  uint32_t used = 0;
  if (d->mode.fourcc == V4L2_PIX_FMT_MJPEG) {
    used = encode_mjpeg(rgb, w, h, dst, capacity);
  } else if (d->mode.fourcc == V4L2_PIX_FMT_YUYV) {
    for (int i = 0; i + 1 < w * h; i += 2) {
      int y0, u0, v0, y1, u1, v1;
      rgb_to_yuv(rgb + (size_t)i * 3, &y0, &u0, &v0);
      rgb_to_yuv(rgb + (size_t)(i + 1) * 3, &y1, &u1, &v1);
      unsigned char* o = dst + (size_t)i * 2;
      o[0] = clamp8(y0);
      o[1] = clamp8((u0 + u1) / 2);
      o[2] = clamp8(y1);
      o[3] = clamp8((v0 + v1) / 2);
    }
    used = (uint32_t)((size_t)w * h * 2);
  } else {  // GREY: full-range luma, as IR sensors send
    for (int i = 0; i < w * h; ++i) {
      const unsigned char* p = rgb + (size_t)i * 3;
      dst[i] = (unsigned char)((77 * p[0] + 150 * p[1] + 29 * p[2]) >> 8);
    }
    used = (uint32_t)((size_t)w * h);
  }
  free(rgb);
  return used;
}

// ---------------------------------------------------------------- buffers and pacing

static void free_buffers(struct device* d) {
  if (d->buffers) munmap(d->buffers, d->buffer_size * d->buffer_count);
  if (d->memfd >= 0) real_close(d->memfd);
  d->buffers = NULL;
  d->memfd = -1;
  d->buffer_count = 0;
  d->queue_len = d->done_len = 0;
  memset(d->queued, 0, sizeof d->queued);
}

static void stop_stream(struct device* d) {
  if (d->streaming) event(d, "streamoff");
  d->streaming = 0;
  d->queue_len = d->done_len = 0;
  memset(d->queued, 0, sizeof d->queued);
}

static void release_owner(struct device* d) {
  stop_stream(d);
  free_buffers(d);
  d->owner_fd = -1;
  d->emitter_on = 0;
}

static double frame_period(const struct device* d) {
  int fps = d->fps < d->mode.max_fps ? d->fps : d->mode.max_fps;
  return 1.0 / (fps > 0 ? fps : 1);
}

// Produces every frame that is due by now into queued buffers.
static void advance(struct device* d) {
  if (!d->streaming || switched_on(d, "stuck")) return;
  const double now = now_seconds(), period = frame_period(d);
  const uint64_t due = (uint64_t)((now - d->stream_start) / period);  // frames produced by now
  if (due <= d->next_seq) return;
  if (d->queue_len == 0) {  // no buffer to fill: those frames are dropped
    d->next_seq = due;
    return;
  }
  // Frames older than the queued buffers could hold are dropped.
  if (due - d->next_seq > (uint64_t)d->queue_len) d->next_seq = due - (uint64_t)d->queue_len;
  while (d->next_seq < due && d->queue_len > 0) {
    const int index = d->queue_order[0];
    memmove(d->queue_order, d->queue_order + 1, sizeof(int) * (size_t)(--d->queue_len));
    d->queued[index] = 0;
    unsigned char* dst = d->buffers + d->buffer_size * (size_t)index;
    d->bytesused[index] = fill_buffer(d, d->next_seq, dst, frame_bytes(&d->mode));
    d->sequence[index] = (uint32_t)d->next_seq;
    clock_gettime(CLOCK_MONOTONIC, &d->stamp[index]);
    d->done[d->done_len++] = index;
    ++d->next_seq;
  }
}

// Seconds until the next frame is due (a large number when none will come).
static double until_next_frame(const struct device* d) {
  if (!d->streaming || d->queue_len == 0 || switched_on(d, "stuck")) return 1e9;
  const double period = frame_period(d);
  const double due = d->stream_start + (double)(d->next_seq + 1) * period;
  const double left = due - now_seconds();
  return left > 0 ? left : 0;
}

// ---------------------------------------------------------------- ioctls

static const struct mode* modes_of(const struct device* d, size_t* n) {
  if (d->kind == KIND_IR) {
    *n = sizeof ir_modes / sizeof ir_modes[0];
    return ir_modes;
  }
  *n = sizeof webcam_modes / sizeof webcam_modes[0];
  return webcam_modes;
}

static int has_format(const struct device* d, uint32_t fourcc) {
  size_t n;
  const struct mode* m = modes_of(d, &n);
  for (size_t i = 0; i < n; ++i)
    if (m[i].fourcc == fourcc) return 1;
  return 0;
}

// The nearest mode of `fourcc` (or of the first format when it is not
// offered), as uvcvideo's TRY_FMT does.
static struct mode nearest_mode(const struct device* d, uint32_t fourcc, int w, int h) {
  size_t n;
  const struct mode* m = modes_of(d, &n);
  if (!has_format(d, fourcc)) fourcc = m[0].fourcc;
  const struct mode* best = NULL;
  long best_score = 0;
  for (size_t i = 0; i < n; ++i) {
    if (m[i].fourcc != fourcc) continue;
    const long score = labs((long)m[i].width - w) + labs((long)m[i].height - h);
    if (!best || score < best_score) {
      best = &m[i];
      best_score = score;
    }
  }
  return *best;
}

static void describe_format(const struct mode* m, struct v4l2_pix_format* pix) {
  memset(pix, 0, sizeof *pix);
  pix->width = (uint32_t)m->width;
  pix->height = (uint32_t)m->height;
  pix->pixelformat = m->fourcc;
  pix->field = V4L2_FIELD_NONE;
  pix->bytesperline = m->fourcc == V4L2_PIX_FMT_YUYV   ? (uint32_t)m->width * 2
                      : m->fourcc == V4L2_PIX_FMT_GREY ? (uint32_t)m->width
                                                       : 0;
  pix->sizeimage = (uint32_t)frame_bytes(m);
  pix->colorspace = V4L2_COLORSPACE_SRGB;
}

static int fail(int err) {
  errno = err;
  return -1;
}

static int emulated_ioctl(int fd, struct device* d, unsigned long request, void* arg) {
  request = (unsigned int)request;
  if (switched_on(d, "unplugged")) return fail(ENODEV);
  switch (request) {
    case VIDIOC_QUERYCAP: {
      struct v4l2_capability* cap = arg;
      memset(cap, 0, sizeof *cap);
      snprintf((char*)cap->driver, sizeof cap->driver, "uvcvideo");
      snprintf((char*)cap->card, sizeof cap->card, "%s",
               d->kind == KIND_IR ? "Emulated IR Camera" : "Emulated Webcam");
      snprintf((char*)cap->bus_info, sizeof cap->bus_info, "usb-0000:00:14.0-%d", d->minor - 199);
      cap->version = 0x060100;
      cap->device_caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING | V4L2_CAP_EXT_PIX_FORMAT;
      cap->capabilities = cap->device_caps | V4L2_CAP_META_CAPTURE | V4L2_CAP_DEVICE_CAPS;
      return 0;
    }
    case VIDIOC_ENUM_FMT: {
      struct v4l2_fmtdesc* desc = arg;
      if (desc->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return fail(EINVAL);
      size_t n;
      const struct mode* m = modes_of(d, &n);
      uint32_t seen[8];
      unsigned count = 0;
      for (size_t i = 0; i < n; ++i) {
        int dup = 0;
        for (unsigned j = 0; j < count; ++j) dup |= seen[j] == m[i].fourcc;
        if (!dup) seen[count++] = m[i].fourcc;
      }
      if (desc->index >= count) return fail(EINVAL);
      const uint32_t f = seen[desc->index];
      const uint32_t index = desc->index, type = desc->type;
      memset(desc, 0, sizeof *desc);
      desc->index = index;
      desc->type = type;
      desc->pixelformat = f;
      desc->flags = f == V4L2_PIX_FMT_MJPEG ? V4L2_FMT_FLAG_COMPRESSED : 0;
      snprintf((char*)desc->description, sizeof desc->description, "%s",
               f == V4L2_PIX_FMT_MJPEG  ? "Motion-JPEG"
               : f == V4L2_PIX_FMT_YUYV ? "YUYV 4:2:2"
                                        : "8-bit Greyscale");
      return 0;
    }
    case VIDIOC_ENUM_FRAMESIZES: {
      struct v4l2_frmsizeenum* fs = arg;
      size_t n;
      const struct mode* m = modes_of(d, &n);
      uint32_t k = 0;
      for (size_t i = 0; i < n; ++i) {
        if (m[i].fourcc != fs->pixel_format) continue;
        if (k++ == fs->index) {
          fs->type = V4L2_FRMSIZE_TYPE_DISCRETE;
          fs->discrete.width = (uint32_t)m[i].width;
          fs->discrete.height = (uint32_t)m[i].height;
          return 0;
        }
      }
      return fail(EINVAL);
    }
    case VIDIOC_ENUM_FRAMEINTERVALS: {
      struct v4l2_frmivalenum* fi = arg;
      size_t n;
      const struct mode* m = modes_of(d, &n);
      for (size_t i = 0; i < n; ++i) {
        if (m[i].fourcc != fi->pixel_format || (uint32_t)m[i].width != fi->width ||
            (uint32_t)m[i].height != fi->height)
          continue;
        static const int rates[] = {30, 15, 10, 5};
        uint32_t k = 0;
        for (size_t r = 0; r < sizeof rates / sizeof rates[0]; ++r) {
          if (rates[r] > m[i].max_fps) continue;
          if (k++ == fi->index) {
            fi->type = V4L2_FRMIVAL_TYPE_DISCRETE;
            fi->discrete.numerator = 1;
            fi->discrete.denominator = (uint32_t)rates[r];
            return 0;
          }
        }
        return fail(EINVAL);
      }
      return fail(EINVAL);
    }
    case VIDIOC_G_FMT: {
      struct v4l2_format* f = arg;
      if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return fail(EINVAL);
      describe_format(&d->mode, &f->fmt.pix);
      return 0;
    }
    case VIDIOC_TRY_FMT:
    case VIDIOC_S_FMT: {
      struct v4l2_format* f = arg;
      if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return fail(EINVAL);
      const struct mode m =
          nearest_mode(d, f->fmt.pix.pixelformat, (int)f->fmt.pix.width, (int)f->fmt.pix.height);
      if (request == VIDIOC_S_FMT) {
        if (switched_on(d, "busy-streaming") || (d->owner_fd >= 0 && d->owner_fd != fd)) return fail(EBUSY);
        if (d->buffer_count > 0) return fail(EBUSY);
        d->mode = m;
      }
      describe_format(&m, &f->fmt.pix);
      return 0;
    }
    case VIDIOC_G_PARM:
    case VIDIOC_S_PARM: {
      struct v4l2_streamparm* p = arg;
      if (p->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return fail(EINVAL);
      if (request == VIDIOC_S_PARM) {
        const struct v4l2_fract t = p->parm.capture.timeperframe;
        if (t.numerator > 0 && t.denominator > 0) {
          const double want = (double)t.denominator / t.numerator;
          static const int rates[] = {30, 15, 10, 5};
          int chosen = 5;
          for (size_t r = 0; r < sizeof rates / sizeof rates[0]; ++r) {
            if (rates[r] <= d->mode.max_fps && rates[r] <= want + 0.5) {
              chosen = rates[r];
              break;
            }
          }
          d->fps = chosen;
        }
      }
      memset(&p->parm, 0, sizeof p->parm);
      p->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
      p->parm.capture.timeperframe.numerator = 1;
      p->parm.capture.timeperframe.denominator =
          (uint32_t)(d->fps < d->mode.max_fps ? d->fps : d->mode.max_fps);
      p->parm.capture.readbuffers = 0;
      return 0;
    }
    case VIDIOC_REQBUFS: {
      struct v4l2_requestbuffers* r = arg;
      if (r->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || r->memory != V4L2_MEMORY_MMAP) return fail(EINVAL);
      if (switched_on(d, "busy-streaming") || (d->owner_fd >= 0 && d->owner_fd != fd)) return fail(EBUSY);
      if (d->streaming) return fail(EBUSY);
      free_buffers(d);
      d->owner_fd = -1;
      if (r->count == 0) return 0;
      unsigned count = r->count < 2 ? 2 : r->count > 8 ? 8 : r->count;
      const long page = sysconf(_SC_PAGESIZE);
      const size_t size = (frame_bytes(&d->mode) + (size_t)page - 1) / (size_t)page * (size_t)page;
      d->memfd = memfd_create("emulated-camera-buffers", MFD_CLOEXEC);
      if (d->memfd < 0 || ftruncate(d->memfd, (off_t)(size * count)) != 0) {
        free_buffers(d);
        return fail(ENOMEM);
      }
      d->buffers = mmap(NULL, size * count, PROT_READ | PROT_WRITE, MAP_SHARED, d->memfd, 0);
      if (d->buffers == MAP_FAILED) {
        d->buffers = NULL;
        free_buffers(d);
        return fail(ENOMEM);
      }
      d->buffer_size = size;
      d->buffer_count = count;
      d->owner_fd = fd;
      r->count = count;
      return 0;
    }
    case VIDIOC_QUERYBUF:
    case VIDIOC_QBUF:
    case VIDIOC_DQBUF: {
      struct v4l2_buffer* b = arg;
      if (b->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || b->memory != V4L2_MEMORY_MMAP) return fail(EINVAL);
      if (d->owner_fd != fd) return fail(EBUSY);
      if (request == VIDIOC_DQBUF) {
        if (!d->streaming) return fail(EINVAL);
        advance(d);
        if (d->done_len == 0) return fail(EAGAIN);  // the descriptor is non-blocking
        const int index = d->done[0];
        memmove(d->done, d->done + 1, sizeof(int) * (size_t)(--d->done_len));
        memset(b, 0, sizeof *b);
        b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        b->memory = V4L2_MEMORY_MMAP;
        b->index = (uint32_t)index;
        b->bytesused = d->bytesused[index];
        b->length = (uint32_t)frame_bytes(&d->mode);
        b->m.offset = (uint32_t)(d->buffer_size * (size_t)index);
        b->sequence = d->sequence[index];
        b->field = V4L2_FIELD_NONE;
        b->flags = V4L2_BUF_FLAG_MAPPED | V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;
        b->timestamp.tv_sec = d->stamp[index].tv_sec;
        b->timestamp.tv_usec = d->stamp[index].tv_nsec / 1000;
        event(d, "frame %u", b->sequence);
        return 0;
      }
      if (b->index >= d->buffer_count) return fail(EINVAL);
      if (request == VIDIOC_QBUF) {
        if (d->queued[b->index]) return fail(EINVAL);
        for (int i = 0; i < d->done_len; ++i)
          if (d->done[i] == (int)b->index) return fail(EINVAL);
        d->queued[b->index] = 1;
        d->queue_order[d->queue_len++] = (int)b->index;
        b->flags |= V4L2_BUF_FLAG_QUEUED;
        return 0;
      }
      const uint32_t index = b->index;
      memset(b, 0, sizeof *b);
      b->index = index;
      b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
      b->memory = V4L2_MEMORY_MMAP;
      b->length = (uint32_t)frame_bytes(&d->mode);
      b->m.offset = (uint32_t)(d->buffer_size * index);
      b->flags = d->queued[index] ? V4L2_BUF_FLAG_QUEUED : 0;
      return 0;
    }
    case VIDIOC_STREAMON:
    case VIDIOC_STREAMOFF: {
      const int* type = arg;
      if (*type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return fail(EINVAL);
      if (d->owner_fd != fd || d->buffer_count == 0) return fail(EINVAL);
      if (request == VIDIOC_STREAMOFF) {
        stop_stream(d);
        return 0;
      }
      if (!d->streaming) {
        d->streaming = 1;
        d->stream_start = now_seconds();
        d->next_seq = 0;
        d->done_len = 0;
        event(d, "streamon %s %dx%d",
              d->mode.fourcc == V4L2_PIX_FMT_MJPEG  ? "MJPG"
              : d->mode.fourcc == V4L2_PIX_FMT_YUYV ? "YUYV"
                                                    : "GREY",
              d->mode.width, d->mode.height);
      }
      return 0;
    }
    case UVCIOC_CTRL_QUERY: {
      struct uvc_xu_control_query* q = arg;
      if (!d->control_unit || q->unit != d->control_unit || q->selector != d->control_selector)
        return fail(ENOENT);  // uvcvideo: no such unit or control
      if (q->query != UVC_SET_CUR) return fail(EINVAL);
      if (q->size != d->control_size) return fail(EINVAL);
      d->emitter_on = memcmp(q->data, d->control_data, (size_t)d->control_size) == 0;
      event(d, "emitter %s", d->emitter_on ? "on" : "off");
      return 0;
    }
    case VIDIOC_ENUMINPUT: {
      struct v4l2_input* in = arg;
      if (in->index != 0) return fail(EINVAL);
      memset(in, 0, sizeof *in);
      snprintf((char*)in->name, sizeof in->name, "Camera 1");
      in->type = V4L2_INPUT_TYPE_CAMERA;
      return 0;
    }
    case VIDIOC_G_INPUT: *(int*)arg = 0; return 0;
    case VIDIOC_S_INPUT: return *(int*)arg == 0 ? 0 : fail(EINVAL);
    default: return fail(ENOTTY);  // controls and the rest: not emulated
  }
}

// ---------------------------------------------------------------- open, close, stat

static int emulated_open(struct device* d, int flags) {
  if (switched_on(d, "unplugged")) return fail(ENOENT);
  if (switched_on(d, "busy")) return fail(EBUSY);
  int efd_flags = EFD_NONBLOCK;
  if (flags & O_CLOEXEC) efd_flags |= EFD_CLOEXEC;
  const int fd = eventfd(0, efd_flags);
  if (fd < 0) return -1;
  if (fd >= MAX_FDS) {
    real_close(fd);
    return fail(EMFILE);
  }
  load_material(d);
  fd_device[fd] = d;
  event(d, "open");
  return fd;
}

static int emulated_close(int fd, struct device* d) {
  if (d->owner_fd == fd) release_owner(d);
  fd_device[fd] = NULL;
  event(d, "close");
  return real_close(fd);
}

static void fake_node(const struct device* d, struct stat* st) {
  memset(st, 0, sizeof *st);
  st->st_mode = S_IFCHR | 0660;
  st->st_rdev = makedev(81, (unsigned)d->minor);
  st->st_nlink = 1;
  st->st_gid = 44;  // group video on Debian
  st->st_blksize = 4096;
}

// 1 when `path` is an emulated node (its stat result in *r), else 0.
static int stat_device(const char* path, struct stat* st, int* r) {
  resolve();
  struct device* d = path[0] == '/' ? device_at(path) : NULL;
  if (!d) return 0;
  pthread_mutex_lock(&lock);
  if (switched_on(d, "unplugged")) {
    *r = fail(ENOENT);
  } else {
    fake_node(d, st);
    *r = 0;
  }
  const int err = errno;
  pthread_mutex_unlock(&lock);
  errno = err;
  return 1;
}

int stat(const char* path, struct stat* st) {
  int r;
  return stat_device(path, st, &r) ? r : real_stat(path, st);
}
int stat64(const char* path, struct stat64* st) { return stat(path, (struct stat*)st); }

int lstat(const char* path, struct stat* st) {
  int r;
  return stat_device(path, st, &r) ? r : real_lstat(path, st);
}
int lstat64(const char* path, struct stat64* st) { return lstat(path, (struct stat*)st); }

int fstatat(int dirfd, const char* path, struct stat* st, int flags) {
  int r;
  return stat_device(path, st, &r) ? r : real_fstatat(dirfd, path, st, flags);
}
int fstatat64(int dirfd, const char* path, struct stat64* st, int flags) {
  return fstatat(dirfd, path, (struct stat*)st, flags);
}

// /sys/dev/char/81:MINOR/device/../idVendor (or idProduct) of a device with
// a usb_id: a memfd holding the value, as sysfs would.
static int open_sysfs(const char* path, int* handled) {
  static const char prefix[] = "/sys/dev/char/81:";
  if (strncmp(path, prefix, sizeof prefix - 1) != 0) return -1;
  init();
  const int minor = atoi(path + sizeof prefix - 1);
  for (int i = 0; i < device_count; ++i) {
    struct device* d = &devices[i];
    if (d->minor != minor || !d->usb_vendor[0]) continue;
    const char* attribute = strrchr(path, '/');
    const char* value = NULL;
    if (attribute && strcmp(attribute, "/idVendor") == 0) value = d->usb_vendor;
    if (attribute && strcmp(attribute, "/idProduct") == 0) value = d->usb_product;
    if (!value) return -1;
    *handled = 1;
    const int fd = memfd_create("emulated-sysfs", MFD_CLOEXEC);
    if (fd < 0) return -1;
    char line[16];
    const int n = snprintf(line, sizeof line, "%s\n", value);
    if (write(fd, line, (size_t)n) != n || lseek(fd, 0, SEEK_SET) != 0) {
      real_close(fd);
      return fail(EIO);
    }
    return fd;
  }
  return -1;
}

static int open_common(const char* path, int flags, mode_t mode, int* handled) {
  resolve();
  *handled = 0;
  const int sys = open_sysfs(path, handled);
  if (*handled) return sys;
  struct device* d = device_at(path);
  *handled = d != NULL;
  if (!d) return -1;
  (void)mode;
  pthread_mutex_lock(&lock);
  const int r = emulated_open(d, flags);
  const int err = errno;
  pthread_mutex_unlock(&lock);
  errno = err;
  return r;
}

// The mode argument open() and openat() carry only with O_CREAT or O_TMPFILE.
#define MODE_ARG(flags, last)            \
  mode_t mode = 0;                       \
  if ((flags) & (O_CREAT | O_TMPFILE)) { \
    va_list ap;                          \
    va_start(ap, last);                  \
    mode = va_arg(ap, mode_t);           \
    va_end(ap);                          \
  }

int open(const char* path, int flags, ...) {
  MODE_ARG(flags, flags)
  int handled;
  const int r = open_common(path, flags, mode, &handled);
  if (handled) return r;
  return real_open(path, flags, mode);
}
int open64(const char* path, int flags, ...) __attribute__((alias("open")));

int __open_2(const char* path, int flags) { return open(path, flags); }
int __open64_2(const char* path, int flags) { return open(path, flags); }

int openat(int dirfd, const char* path, int flags, ...) {
  MODE_ARG(flags, flags)
  if (path[0] == '/') {
    int handled;
    const int r = open_common(path, flags, mode, &handled);
    if (handled) return r;
  }
  resolve();
  return real_openat(dirfd, path, flags, mode);
}
int openat64(int dirfd, const char* path, int flags, ...) __attribute__((alias("openat")));
int __openat_2(int dirfd, const char* path, int flags) { return openat(dirfd, path, flags); }

int close(int fd) {
  resolve();
  pthread_mutex_lock(&lock);
  struct device* d = device_of(fd);
  if (d) {
    const int r = emulated_close(fd, d);
    const int err = errno;
    pthread_mutex_unlock(&lock);
    errno = err;
    return r;
  }
  pthread_mutex_unlock(&lock);
  return real_close(fd);
}

int ioctl(int fd, unsigned long request, ...) {
  va_list ap;
  va_start(ap, request);
  void* arg = va_arg(ap, void*);
  va_end(ap);
  resolve();
  pthread_mutex_lock(&lock);
  struct device* d = device_of(fd);
  if (d) {
    const int r = emulated_ioctl(fd, d, request, arg);
    const int err = errno;
    pthread_mutex_unlock(&lock);
    errno = err;
    return r;
  }
  pthread_mutex_unlock(&lock);
  return real_ioctl(fd, request, arg);
}

// ---------------------------------------------------------------- mmap and syscall

static void* emulated_mmap(struct device* d, int fd, void* addr, size_t length, int prot, int flags,
                           off_t offset) {
  if (d->owner_fd != fd || !d->buffers || offset < 0 || (size_t)offset % d->buffer_size != 0 ||
      (size_t)offset / d->buffer_size >= d->buffer_count || length > d->buffer_size ||
      !(flags & MAP_SHARED)) {
    errno = EINVAL;
    return MAP_FAILED;
  }
  return mmap(addr, length, prot, flags, d->memfd, offset);
}

long syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long a[6];
  for (int i = 0; i < 6; ++i) a[i] = va_arg(ap, long);
  va_end(ap);
  resolve();
  if (number == SYS_ioctl || number == SYS_close || number == SYS_mmap || number == SYS_read) {
    pthread_mutex_lock(&lock);
    struct device* d = device_of((int)a[0] == a[0] ? (int)a[0] : -1);
    if (number == SYS_mmap) d = device_of((int)a[4]);
    if (d) {
      long r;
      if (number == SYS_ioctl)
        r = emulated_ioctl((int)a[0], d, (unsigned long)a[1], (void*)a[2]);
      else if (number == SYS_close)
        r = emulated_close((int)a[0], d);
      else if (number == SYS_mmap)
        r = (long)emulated_mmap(d, (int)a[4], (void*)a[0], (size_t)a[1], (int)a[2], (int)a[3], (off_t)a[5]);
      else
        r = fail(EINVAL);  // no read() I/O: UVC streams through mmap only
      const int err = errno;
      pthread_mutex_unlock(&lock);
      errno = err;
      return r;
    }
    pthread_mutex_unlock(&lock);
  }
  if (number == SYS_openat && (const char*)a[1] && ((const char*)a[1])[0] == '/') {
    int handled;
    const int r = open_common((const char*)a[1], (int)a[2], (mode_t)a[3], &handled);
    if (handled) return r;
  }
  if (number == SYS_open) {
    int handled;
    const int r = open_common((const char*)a[0], (int)a[1], (mode_t)a[2], &handled);
    if (handled) return r;
  }
  return real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

// ---------------------------------------------------------------- poll

// Our descriptors are readable when a filled buffer waits; an unplugged
// device reports an error (as v4l2_poll does for an unregistered node), a
// node that is not streaming reports POLLERR (as vb2 does).
static short emulated_revents(struct device* d, int fd, short events) {
  if (switched_on(d, "unplugged")) return POLLERR | POLLHUP | POLLPRI;
  if (d->owner_fd != fd || !d->streaming) return POLLERR;
  advance(d);
  return d->done_len > 0 ? (short)(events & (POLLIN | POLLRDNORM)) : 0;
}

int poll(struct pollfd* fds, nfds_t n, int timeout) {
  resolve();
  int ours = 0;
  pthread_mutex_lock(&lock);
  for (nfds_t i = 0; i < n; ++i) ours |= device_of(fds[i].fd) != NULL;
  pthread_mutex_unlock(&lock);
  if (!ours) return real_poll(fds, n, timeout);

  const double deadline = timeout < 0 ? 1e18 : now_seconds() + timeout / 1000.0;
  struct pollfd* rest = calloc(n ? n : 1, sizeof *rest);
  if (!rest) return fail(ENOMEM);
  int result = 0;
  for (;;) {
    int ready = 0;
    double wait = 1e9;
    pthread_mutex_lock(&lock);
    for (nfds_t i = 0; i < n; ++i) {
      struct device* d = device_of(fds[i].fd);
      rest[i] = fds[i];
      rest[i].revents = 0;
      fds[i].revents = 0;
      if (!d) continue;
      rest[i].fd = -1;  // the real poll ignores it
      fds[i].revents = emulated_revents(d, fds[i].fd, fds[i].events);
      if (fds[i].revents) ++ready;
      const double w = until_next_frame(d);
      if (w < wait) wait = w;
    }
    pthread_mutex_unlock(&lock);
    const double left = deadline - now_seconds();
    int ms = ready ? 0 : (int)((wait < left ? wait : left) * 1000.0 + 1.0);
    if (ms < 0) ms = 0;
    const int r = real_poll(rest, n, ms);
    if (r < 0) {
      result = -1;
      break;
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (rest[i].fd < 0) continue;
      fds[i].revents = rest[i].revents;
      if (rest[i].revents) ++ready;
    }
    if (ready || now_seconds() >= deadline) {
      result = ready;
      break;
    }
  }
  const int err = errno;
  free(rest);
  errno = err;
  return result;
}

int __poll_chk(struct pollfd* fds, nfds_t n, int timeout, size_t fdslen) {
  (void)fdslen;
  return poll(fds, n, timeout);
}
