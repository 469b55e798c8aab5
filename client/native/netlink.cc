// Netlink socket syscalls for Node. Everything protocol-level lives in TypeScript;
// this file only opens, configures, sends on and receives from AF_NETLINK sockets.
#include <napi.h>
#include <uv.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include <linux/netlink.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// readInto writes the sender's [port, groups, flags] into a caller-provided
// Uint32Array, so no object is created per datagram.
constexpr uint32_t kMetaLen = 3;
constexpr uint32_t kFlagTruncated = 1;
// transact() describes the datagrams it read in the same array, after the
// three meta slots: [count, then per datagram: offset, length, port, groups, flags].
constexpr uint32_t kFrameFields = 5;
constexpr uint32_t kMaxFrames = 64;
constexpr uint32_t kTransactMetaLen = kMetaLen + 1 + kFrameFields * kMaxFrames;
// transact() stops reading below this much free room: a dump datagram
// (at most 32 KiB, see nlk->max_recvmsg_len) still fits whole; a larger one
// spills into the receive area and ends the call.
constexpr size_t kMinFree = 32u << 10;
// transact()'s stop modes (see there).
constexpr uint32_t kStopAtControl = 1;
constexpr uint32_t kStopAtSingle = 2;
// Spill area shared by the sockets of one thread. readInto receives into the
// caller's scratch buffer (iov[0]) followed by this area (iov[1]), so a single
// recvmsg takes any datagram up to 64 MiB whole: no MSG_PEEK sizing round trip
// (a syscall is the dominant cost of a netlink exchange) and no silent
// truncation. The mapping is MAP_NORESERVE, so only pages the kernel actually
// writes (datagrams larger than the scratch buffer) become resident. The large
// iov also tells the kernel it may build 32 KiB dump datagrams
// (nlk->max_recvmsg_len).
constexpr size_t kAreaLen = 64u << 20;
constexpr size_t kKeepResident = 256u << 10;
thread_local uint8_t* tArea = nullptr;

uint8_t* ReceiveArea() {
  if (tArea == nullptr) {
    void* p = mmap(nullptr, kAreaLen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != MAP_FAILED) tArea = static_cast<uint8_t*>(p);
  }
  return tArea;
}

// Opening a socket inside another network namespace: setns() moves only the
// calling thread, and a socket belongs for life to the namespace it was created
// in. So a short-lived thread enters the namespace and creates the socket, and
// no thread of Node's ever leaves its own namespace (no restore step to fail).
struct NetnsOpen {
  int netns_fd;
  int protocol;
  int fd = -1;
  int err = 0;
  const char* syscall = nullptr;
};

void* OpenInNetns(void* arg) {
  NetnsOpen* op = static_cast<NetnsOpen*>(arg);
  if (setns(op->netns_fd, CLONE_NEWNET) < 0) {
    op->err = errno;
    op->syscall = "setns";
    return nullptr;
  }
  op->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, op->protocol);
  if (op->fd < 0) {
    op->err = errno;
    op->syscall = "socket";
  }
  return nullptr;
}

// Returns the socket, or -1 with *err and *syscall set.
int OpenSocket(int protocol, int netns_fd, int* err, const char** syscall) {
  if (netns_fd < 0) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);
    *err = errno;
    *syscall = "socket";
    return fd;
  }
  NetnsOpen op{netns_fd, protocol};
  pthread_t thread;
  int r = pthread_create(&thread, nullptr, OpenInNetns, &op);
  if (r != 0) {
    *err = r;
    *syscall = "pthread_create";
    return -1;
  }
  pthread_join(thread, nullptr);
  *err = op.err;
  *syscall = op.syscall;
  return op.fd;
}

Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall) {
  Napi::Error e = Napi::Error::New(env, std::string(syscall) + " " + uv_err_name(-err) + ": " + strerror(err));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("code", Napi::String::New(env, uv_err_name(-err)));
  e.Set("syscall", Napi::String::New(env, syscall));
  return e;
}

// Throws `e` in JavaScript and gives the value a method returns after a throw.
Napi::Value Throw(Napi::Env env, const Napi::Error& e) {
  e.ThrowAsJavaScriptException();
  return env.Undefined();
}

class Socket : public Napi::ObjectWrap<Socket> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "NativeSocket",
                       {
                           InstanceMethod<&Socket::Bind>("bind"),
                           InstanceMethod<&Socket::Port>("port"),
                           InstanceMethod<&Socket::SetOption>("setOption"),
                           InstanceMethod<&Socket::GetOption>("getOption"),
                           InstanceMethod<&Socket::Send>("send"),
                           InstanceMethod<&Socket::ReadInto>("readInto"),
                           InstanceMethod<&Socket::Transact>("transact"),
                           InstanceMethod<&Socket::WaitReadable>("waitReadable"),
                           InstanceMethod<&Socket::Start>("start"),
                           InstanceMethod<&Socket::Stop>("stop"),
                           InstanceMethod<&Socket::DoRef>("ref"),
                           InstanceMethod<&Socket::DoUnref>("unref"),
                           InstanceMethod<&Socket::Close>("close"),
                           InstanceAccessor<&Socket::Fd>("fd"),
                       });
  }

  // new NativeSocket(protocol, meta: Uint32Array(3)[, netnsFd]): a netnsFd >= 0
  // opens the socket in that network namespace (the caller keeps the fd).
  explicit Socket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Socket>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsTypedArray()) {
      Napi::TypeError::New(env, "expected (protocol: number, meta: Uint32Array)").ThrowAsJavaScriptException();
      return;
    }
    Napi::Uint32Array meta = info[1].As<Napi::Uint32Array>();
    if (meta.ElementLength() < kMetaLen) {
      Napi::RangeError::New(env, "meta array too small").ThrowAsJavaScriptException();
      return;
    }
    meta_ref_ = Napi::Persistent(meta);
    meta_ = meta.Data();
    frames_ = meta.ElementLength() >= kTransactMetaLen;
    int netns_fd = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : -1;
    int err = 0;
    const char* syscall = "socket";
    fd_ = OpenSocket(info[0].As<Napi::Number>().Int32Value(), netns_fd, &err, &syscall);
    if (fd_ < 0) ErrnoError(env, err, syscall).ThrowAsJavaScriptException();
  }

  ~Socket() override {
    if (poll_ != nullptr) ClosePoll();
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  bool CheckOpen(Napi::Env env) {
    if (fd_ >= 0) return true;
    ErrnoError(env, EBADF, "netlink").ThrowAsJavaScriptException();
    return false;
  }

  Napi::Value Fd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_); }

  // bind(port, groups): port 0 lets the kernel pick a unique port id.
  Napi::Value Bind(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    sa.nl_pid = info[0].As<Napi::Number>().Uint32Value();
    sa.nl_groups = info[1].As<Napi::Number>().Uint32Value();
    if (bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) < 0)
      ErrnoError(env, errno, "bind").ThrowAsJavaScriptException();
    return env.Undefined();
  }

  Napi::Value Port(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    sockaddr_nl sa{};
    socklen_t len = sizeof(sa);
    if (getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) < 0)
      return Throw(env, ErrnoError(env, errno, "getsockname"));
    return Napi::Number::New(env, sa.nl_pid);
  }

  // setOption(level, name, value): every option this library needs is an int.
  Napi::Value SetOption(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    int level = info[0].As<Napi::Number>().Int32Value();
    int name = info[1].As<Napi::Number>().Int32Value();
    int value = info[2].As<Napi::Number>().Int32Value();
    if (setsockopt(fd_, level, name, &value, sizeof(value)) < 0)
      ErrnoError(env, errno, "setsockopt").ThrowAsJavaScriptException();
    return env.Undefined();
  }

  Napi::Value GetOption(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    int level = info[0].As<Napi::Number>().Int32Value();
    int name = info[1].As<Napi::Number>().Int32Value();
    int value = 0;
    socklen_t len = sizeof(value);
    if (getsockopt(fd_, level, name, &value, &len) < 0) return Throw(env, ErrnoError(env, errno, "getsockopt"));
    return Napi::Number::New(env, value);
  }

  // send(buffers: Buffer[], port, groups) -> bytes sent. Port 0 is the kernel.
  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    if (!info[0].IsArray()) return Throw(env, Napi::TypeError::New(env, "expected an array of buffers"));
    Napi::Array list = info[0].As<Napi::Array>();
    std::vector<iovec> iov(list.Length());
    for (uint32_t i = 0; i < list.Length(); i++) {
      Napi::Value v = list.Get(i);
      if (!v.IsTypedArray()) return Throw(env, Napi::TypeError::New(env, "expected an array of buffers"));
      Napi::Uint8Array b = v.As<Napi::Uint8Array>();
      iov[i].iov_base = b.Data();
      iov[i].iov_len = b.ByteLength();
    }
    ssize_t n = SendTo(iov.data(), iov.size(), info[1].As<Napi::Number>().Uint32Value(), info[2].As<Napi::Number>().Uint32Value());
    if (n < 0) return Throw(env, ErrnoError(env, errno, "sendmsg"));
    return Napi::Number::New(env, static_cast<double>(n));
  }

  // One sendmsg of the gathered buffers to port/groups, retried on EINTR.
  ssize_t SendTo(iovec* iov, size_t iovlen, uint32_t port, uint32_t groups) {
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    sa.nl_pid = port;
    sa.nl_groups = groups;
    msghdr msg{};
    msg.msg_name = &sa;
    msg.msg_namelen = sizeof(sa);
    msg.msg_iov = iov;
    msg.msg_iovlen = iovlen;
    ssize_t n;
    do n = sendmsg(fd_, &msg, 0);
    while (n < 0 && errno == EINTR);
    return n;
  }

  // readInto(scratch[, spill]): like readOne, but a datagram that fits in
  // `scratch` is received straight into it and its length returned, so JS can
  // copy it into a pooled Buffer (much cheaper than creating a Buffer from
  // C++). Larger datagrams spill into the receive area and come back as a
  // Buffer; with spill false there is no area, so the kernel cuts them to
  // `scratch` and reports MSG_TRUNC, as it does to a C client's fixed buffer.
  Napi::Value ReadInto(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    if (!info[0].IsTypedArray()) return Throw(env, Napi::TypeError::New(env, "expected a scratch Uint8Array"));
    Napi::Uint8Array scratch = info[0].As<Napi::Uint8Array>();
    bool spill = info.Length() < 2 || info[1].ToBoolean().Value();
    uint8_t* area = spill ? ReceiveArea() : nullptr;
    if (spill && area == nullptr) return ErrnoError(env, ENOMEM, "mmap").Value();
    sockaddr_nl sa{};
    iovec iov[2] = {{scratch.Data(), scratch.ByteLength()}, {area, kAreaLen}};
    msghdr msg{};
    msg.msg_name = &sa;
    msg.msg_namelen = sizeof(sa);
    msg.msg_iov = iov;
    msg.msg_iovlen = spill ? 2 : 1;
    ssize_t n;
    do n = recvmsg(fd_, &msg, MSG_DONTWAIT | MSG_TRUNC);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return env.Undefined();
      return ErrnoError(env, errno, "recvmsg").Value();
    }
    size_t size = static_cast<size_t>(n);
    size_t cap = scratch.ByteLength() + (spill ? kAreaLen : 0);
    uint32_t flags = 0;
    if (size > cap || (msg.msg_flags & MSG_TRUNC)) {
      flags |= kFlagTruncated;
      size = cap;
    }
    meta_[0] = sa.nl_pid;
    meta_[1] = sa.nl_groups;
    meta_[2] = flags;
    if (size <= scratch.ByteLength()) return Napi::Number::New(env, static_cast<double>(size));
    Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, size);
    memcpy(out.Data(), scratch.Data(), scratch.ByteLength());
    memcpy(out.Data() + scratch.ByteLength(), area, size - scratch.ByteLength());
    if (size - scratch.ByteLength() > kKeepResident)
      madvise(area + kKeepResident, size - scratch.ByteLength() - kKeepResident, MADV_DONTNEED);
    return out;
  }

  // Whether a datagram holds a message of sequence number `seq` that ends
  // the wait: a control message (type below NLMSG_MIN_TYPE), or with
  // kStopAtSingle also a data message without NLM_F_MULTI. Framing only: the
  // caller's reply engine still decides what each message means.
  static bool Ends(const uint8_t* p, size_t len, uint32_t seq, uint32_t mode) {
    while (len >= sizeof(nlmsghdr)) {
      nlmsghdr h;
      memcpy(&h, p, sizeof(h));
      if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > len) return false;
      if (h.nlmsg_seq == seq) {
        if ((mode & kStopAtControl) && h.nlmsg_type < NLMSG_MIN_TYPE) return true;
        if ((mode & kStopAtSingle) && h.nlmsg_type >= NLMSG_MIN_TYPE && !(h.nlmsg_flags & NLM_F_MULTI)) return true;
      }
      size_t step = NLMSG_ALIGN(h.nlmsg_len);
      if (step >= len) return false;
      p += step;
      len -= step;
    }
    return false;
  }

  // transact(request, port, block, start, seq, mode): one sendmsg of
  // `request` to `port` (none if it is empty), then, without waiting, one recvmsg after another
  // into `block` from offset `start`, back to back, until a datagram holds
  // the end of exchange `seq` (see Ends), the queue is empty, 64 datagrams
  // were read, or less than 32 KiB of the block is left. In-kernel families answer inside sendmsg, so a
  // request and its whole answer usually cost one call from JS. The
  // datagrams are described after the meta slots (see kTransactMetaLen).
  // Returns the count; or, when the last datagram was larger than the scratch
  // left, a Buffer holding it (it is not in the frame list); or an Error from
  // recvmsg after the frames read before it. A failed sendmsg throws.
  Napi::Value Transact(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    if (!frames_ || info.Length() < 6 || !info[0].IsTypedArray() || !info[2].IsTypedArray())
      return Throw(env, Napi::TypeError::New(env, "expected (request, port, block, start, seq, mode) and a meta array for frames"));
    Napi::Uint8Array request = info[0].As<Napi::Uint8Array>();
    Napi::Uint8Array scratch = info[2].As<Napi::Uint8Array>();
    size_t start = info[3].As<Napi::Number>().Uint32Value();
    uint32_t seq = info[4].As<Napi::Number>().Uint32Value();
    uint32_t mode = info[5].As<Napi::Number>().Uint32Value();
    uint32_t* frames = meta_ + kMetaLen;
    frames[0] = 0;

    uint32_t peer = info[1].As<Napi::Number>().Uint32Value();
    ssize_t n;
    if (request.ByteLength() > 0) {
      iovec out{request.Data(), request.ByteLength()};
      n = SendTo(&out, 1, peer, 0);
      if (n < 0) return Throw(env, ErrnoError(env, errno, "sendmsg"));
    }

    uint8_t* area = ReceiveArea();
    if (area == nullptr) return ErrnoError(env, ENOMEM, "mmap").Value();
    uint8_t* base = scratch.Data();
    size_t cap = scratch.ByteLength();
    size_t off = std::min(start, cap);
    uint32_t count = 0;
    while (count < kMaxFrames && cap - off >= kMinFree) {
      sockaddr_nl from{};
      iovec iov[2] = {{base + off, cap - off}, {area, kAreaLen}};
      msghdr rmsg{};
      rmsg.msg_name = &from;
      rmsg.msg_namelen = sizeof(from);
      rmsg.msg_iov = iov;
      rmsg.msg_iovlen = 2;
      do n = recvmsg(fd_, &rmsg, MSG_DONTWAIT | MSG_TRUNC);
      while (n < 0 && errno == EINTR);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        return ErrnoError(env, errno, "recvmsg").Value();
      }
      size_t size = static_cast<size_t>(n);
      uint32_t flags = 0;
      if (size > cap - off + kAreaLen || (rmsg.msg_flags & MSG_TRUNC)) {
        flags |= kFlagTruncated;
        size = std::min(size, cap - off + kAreaLen);
      }
      if (size > cap - off) {
        // Too big for the scratch left: hand it over on its own, as readInto does.
        size_t head = cap - off;
        Napi::Buffer<uint8_t> big = Napi::Buffer<uint8_t>::New(env, size);
        memcpy(big.Data(), base + off, head);
        memcpy(big.Data() + head, area, size - head);
        if (size - head > kKeepResident) madvise(area + kKeepResident, size - head - kKeepResident, MADV_DONTNEED);
        meta_[0] = from.nl_pid;
        meta_[1] = from.nl_groups;
        meta_[2] = flags;
        return big;
      }
      uint32_t* f = frames + 1 + count * kFrameFields;
      f[0] = static_cast<uint32_t>(off);
      f[1] = static_cast<uint32_t>(size);
      f[2] = from.nl_pid;
      f[3] = from.nl_groups;
      f[4] = flags;
      frames[0] = ++count;
      bool done = from.nl_pid == peer && !(flags & kFlagTruncated) && Ends(base + off, size, seq, mode);
      off += NLMSG_ALIGN(size);
      if (done || (flags & kFlagTruncated)) break;
    }
    return Napi::Number::New(env, count);
  }

  // waitReadable(timeoutMs): blocks the thread (not just the event loop) in
  // poll() until a datagram or an error is pending. Returns false on timeout.
  // A negative timeout waits forever.
  Napi::Value WaitReadable(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    int timeout = info.Length() > 0 ? info[0].As<Napi::Number>().Int32Value() : -1;
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      int r = poll(&p, 1, timeout);
      if (r < 0 && errno == EINTR) continue;  // keep it simple: restart with the full timeout
      if (r < 0) return Throw(env, ErrnoError(env, errno, "poll"));
      return Napi::Boolean::New(env, r > 0);
    }
  }

  // start(callback): watch the fd with libuv; each wakeup calls callback().
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    if (!info[0].IsFunction()) return Throw(env, Napi::TypeError::New(env, "expected a callback"));
    callback_ = Napi::Persistent(info[0].As<Napi::Function>());
    if (poll_ == nullptr) {
      uv_loop_t* loop = nullptr;
      napi_get_uv_event_loop(env, &loop);
      poll_ = new uv_poll_t;
      if (uv_poll_init(loop, poll_, fd_) != 0) {
        delete poll_;
        poll_ = nullptr;
        return Throw(env, ErrnoError(env, EINVAL, "uv_poll_init"));
      }
      poll_->data = this;
      context_ = std::make_unique<Napi::AsyncContext>(env, "NetlinkSocket");
      Ref();  // keep this object alive while libuv can call back into it
    }
    uv_poll_start(poll_, UV_READABLE, OnReadable);
    active_ = true;
    if (referenced_) uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
    else uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
    return env.Undefined();
  }

  // The callback does the reading (with readInto), so a wakeup costs one
  // call into JS and no Buffer is built here.
  static void OnReadable(uv_poll_t* handle, int status, int /*events*/) {
    Socket* self = static_cast<Socket*>(handle->data);
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    // libuv turns POLLERR into UV_EBADF and stops the handle. On a netlink
    // socket POLLERR means sk_err is set (ENOBUFS after an overflow): the
    // callback's next read returns that error; keep watching.
    if (status < 0 && self->poll_ != nullptr && self->active_) uv_poll_start(self->poll_, UV_READABLE, OnReadable);
    self->callback_.MakeCallback(env.Global(), {}, *self->context_);
    if (env.IsExceptionPending()) {
      Napi::Error e = env.GetAndClearPendingException();
      napi_fatal_exception(env, e.Value());
    }
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    active_ = false;
    if (poll_ != nullptr) uv_poll_stop(poll_);
    return info.Env().Undefined();
  }

  Napi::Value DoRef(const Napi::CallbackInfo& info) {
    referenced_ = true;
    if (poll_ != nullptr) uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
    return info.Env().Undefined();
  }

  Napi::Value DoUnref(const Napi::CallbackInfo& info) {
    referenced_ = false;
    if (poll_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
    return info.Env().Undefined();
  }

  void ClosePoll() {
    uv_poll_stop(poll_);
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    poll_ = nullptr;
  }

  // Idempotent: a second close is a no-op.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    active_ = false;
    if (poll_ != nullptr) {
      ClosePoll();
      context_.reset();
      callback_.Reset();
      Unref();
    }
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
    return info.Env().Undefined();
  }

  int fd_ = -1;
  bool referenced_ = true;
  bool active_ = false;
  uv_poll_t* poll_ = nullptr;
  uint32_t* meta_ = nullptr;
  bool frames_ = false;
  Napi::Reference<Napi::Uint32Array> meta_ref_;
  Napi::FunctionReference callback_;
  std::unique_ptr<Napi::AsyncContext> context_;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeSocket", Socket::Init(env));
  exports.Set("FLAG_TRUNCATED", Napi::Number::New(env, kFlagTruncated));
  // readInto takes `spill`: lets the JS side tell an addon built before that apart.
  exports.Set("BOUNDED_READ", Napi::Boolean::New(env, true));
  // The constructor takes a network namespace fd.
  exports.Set("NETNS", Napi::Boolean::New(env, true));
  // transact(): the meta array this long also holds the frames it read.
  exports.Set("TRANSACT_META_LEN", Napi::Number::New(env, kTransactMetaLen));
  exports.Set("STOP_AT_CONTROL", Napi::Number::New(env, kStopAtControl));
  exports.Set("STOP_AT_SINGLE", Napi::Number::New(env, kStopAtSingle));
  return exports;
}

}  // namespace

NODE_API_MODULE(netlink, Init)
