// The buyer-side rotating view: frames of a stitched spin on a three.js plane that tilts with
// the turn (turntable feel), drag/swipe with inertia, pinch/scroll zoom, autoplay when idle and
// on screen, arrow keys, full screen. Low-res sprite frames first, then display, then zoom frames.
// Autoplay is off for visitors who ask for reduced motion. The wheel scrolls the page past the
// viewer; it zooms only with Ctrl/⌘ held (what a trackpad pinch sends too) or once the viewer is
// in use (focused: tapped, dragged or tabbed to).
// Without WebGL it swaps <img> frames on a 2D element; without JS the plain gallery shows.
import { Mesh, MeshBasicMaterial, PerspectiveCamera, PlaneGeometry, Scene, SRGBColorSpace,
  Texture, WebGLRenderer } from "three";

const IDLE_MS = 3000;
const AUTOPLAY_FRAMES_PER_S = 12;
const FRICTION = 0.9;
const TEXTURE_BUDGET = 40; // a whole 36-frame turn at display size stays on the GPU
const REDUCED_MOTION = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.decoding = "async";
    img.onload = () => resolve(img);
    img.onerror = reject;
    img.src = url;
  });
}

// Cut the sprite sheet into one small canvas per frame (shown until the display frame loads).
function spriteFrames(sheet, sprite, count) {
  const size = sprite.frame_size;
  return Array.from({ length: count }, (_, i) => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    const col = i % sprite.columns, row = Math.floor(i / sprite.columns);
    canvas.getContext("2d").drawImage(sheet, col * size, row * size, size, size, 0, 0, size, size);
    return canvas;
  });
}

class WebGLStage {
  constructor(host) {
    this.renderer = new WebGLRenderer({ antialias: true, alpha: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    this.scene = new Scene();
    // A narrow perspective camera framing the 2×2 plane exactly: tilting the plane gives depth.
    const fov = 30;
    this.camera = new PerspectiveCamera(fov, 1, 0.1, 20);
    this.camera.position.z = 1 / Math.tan((fov / 2) * Math.PI / 180);
    this.material = new MeshBasicMaterial({ transparent: true });
    this.plane = new Mesh(new PlaneGeometry(2, 2), this.material);
    this.scene.add(this.plane);
    this.textures = new Map();
    host.appendChild(this.renderer.domElement);
  }
  // GPU textures: one per frame shown, but at most TEXTURE_BUDGET (least recently used go):
  // 36 zoom frames would hold ~300 MB of GPU memory, too much for a phone.
  texture(image) {
    let texture = this.textures.get(image);
    if (texture) {
      this.textures.delete(image); // re-insert: Map order is recency
    } else {
      texture = new Texture(image);
      texture.colorSpace = SRGBColorSpace;
      texture.needsUpdate = true;
    }
    this.textures.set(image, texture);
    if (this.textures.size > TEXTURE_BUDGET) {
      const [oldest, stale] = this.textures.entries().next().value;
      stale.dispose();
      this.textures.delete(oldest);
    }
    return texture;
  }
  resize(width, height) { this.renderer.setSize(width, height, false); }
  draw(image, zoom, tilt, panX, panY) {
    this.material.map = this.texture(image);
    this.material.needsUpdate = true;
    this.plane.scale.set(zoom, zoom, 1);
    this.plane.position.set(panX, panY, 0);
    this.plane.rotation.y = tilt; // a slight lean into the turn: depth without a 3D model
    this.renderer.render(this.scene, this.camera);
  }
}

class ImageStage {
  constructor(host) {
    this.img = document.createElement("img");
    this.img.alt = "";
    this.img.className = "spin-frame";
    host.appendChild(this.img);
  }
  resize() {}
  draw(image, zoom, tilt, panX, panY) {
    const src = image.src || image.toDataURL();
    if (this.img.src !== src) this.img.src = src;
    this.img.style.transform =
      `translate(${panX * 50}%, ${-panY * 50}%) scale(${zoom}) perspective(600px) rotateY(${tilt}rad)`;
  }
}

function makeStage(host) {
  try {
    return new WebGLStage(host);
  } catch (error) {
    return new ImageStage(host);
  }
}

class SpinViewer {
  constructor(root, manifest) {
    this.root = root;
    this.manifest = manifest;
    this.count = manifest.frames.length;
    this.loop = manifest.loop_closed;
    this.position = 0; // fractional frame index
    this.velocity = 0; // frames per animation frame
    this.zoom = 1;
    this.pan = [0, 0];
    this.images = new Array(this.count).fill(null); // sprite cut-outs, then display frames
    this.zoomImages = new Array(this.count).fill(null);
    this.zoomLoaded = false;
    this.lastInput = performance.now();
    this.pointers = new Map();
    this.onScreen = true;
    root.classList.add("spin-ready");
    this.host = document.createElement("div");
    this.host.className = "spin-stage";
    root.insertBefore(this.host, root.firstChild);
    this.stage = makeStage(this.host);
    root.dataset.renderer = this.stage instanceof WebGLStage ? "webgl" : "image";
    this.bind();
    this.resize();
    new ResizeObserver(() => this.resize()).observe(this.host);
    new IntersectionObserver(([entry]) => { this.onScreen = entry.isIntersecting; }).observe(root);
    this.load();
    requestAnimationFrame((t) => this.tick(t));
  }

  async load() {
    const sheet = await loadImage(this.manifest.sprite.file);
    spriteFrames(sheet, this.manifest.sprite, this.count).forEach((c, i) => { this.images[i] = c; });
    this.dirty = true;
    await this.loadFrames("display");
  }

  loadZoom() {
    if (!this.zoomLoaded) this.loadFrames("zoom");
    this.zoomLoaded = true;
  }

  // Load every frame's `key` rendition in order; display frames replace the sprite cut-outs,
  // zoom frames are kept apart and shown only while zoomed in.
  async loadFrames(key) {
    const target = key === "zoom" ? this.zoomImages : this.images;
    for (const [i, frame] of this.manifest.frames.entries()) {
      target[i] = await loadImage(frame[key]);
      this.dirty = true;
    }
  }

  resize() {
    const width = this.host.clientWidth;
    this.stage.resize(width, width);
    this.dirty = true;
  }

  frameIndex() {
    const i = Math.round(this.position);
    return this.loop ? ((i % this.count) + this.count) % this.count : Math.min(this.count - 1, Math.max(0, i));
  }

  turn(frames) {
    this.position += frames;
    if (!this.loop) this.position = Math.min(this.count - 1, Math.max(0, this.position));
    this.dirty = true;
  }

  touched() { this.lastInput = performance.now(); }

  setZoom(zoom) {
    this.zoom = Math.min(4, Math.max(1, zoom));
    if (this.zoom === 1) this.pan = [0, 0];
    if (this.zoom > 1.5) this.loadZoom();
    // Unzoomed, vertical swipes still scroll the page; zoomed, every drag pans the frame.
    this.root.classList.toggle("spin-zoomed", this.zoom > 1);
    this.dirty = true;
  }

  bind() {
    const el = this.root;
    const pixelsPerFrame = () => Math.max(4, this.host.clientWidth / this.count / 1.5);
    el.addEventListener("pointerdown", (e) => {
      el.setPointerCapture(e.pointerId);
      this.pointers.set(e.pointerId, [e.clientX, e.clientY]);
      this.velocity = 0;
      this.touched();
    });
    el.addEventListener("pointermove", (e) => {
      const last = this.pointers.get(e.pointerId);
      if (!last) return;
      const dx = e.clientX - last[0], dy = e.clientY - last[1];
      if (this.pointers.size === 2) { // pinch
        const [a, b] = [...this.pointers.values()];
        const before = Math.hypot(a[0] - b[0], a[1] - b[1]);
        this.pointers.set(e.pointerId, [e.clientX, e.clientY]);
        const [c, d] = [...this.pointers.values()];
        this.setZoom(this.zoom * Math.hypot(c[0] - d[0], c[1] - d[1]) / Math.max(before, 1));
      } else if (this.zoom > 1) { // pan the zoomed frame
        this.pointers.set(e.pointerId, [e.clientX, e.clientY]);
        const w = this.host.clientWidth || 1;
        this.pan = [this.pan[0] + (2 * dx) / w, this.pan[1] - (2 * dy) / w];
        this.dirty = true;
      } else { // drag left turns forward
        this.pointers.set(e.pointerId, [e.clientX, e.clientY]);
        const frames = -dx / pixelsPerFrame();
        this.turn(frames);
        this.velocity = 0.6 * this.velocity + 0.4 * frames;
      }
      this.touched();
    });
    const release = (e) => { this.pointers.delete(e.pointerId); this.touched(); };
    el.addEventListener("pointerup", release);
    el.addEventListener("pointercancel", release);
    el.addEventListener("wheel", (e) => {
      if (!e.ctrlKey && !e.metaKey && !el.contains(document.activeElement)) return; // page scroll
      e.preventDefault();
      this.setZoom(this.zoom * Math.exp(-e.deltaY / 500));
      this.touched();
    }, { passive: false });
    el.addEventListener("keydown", (e) => {
      const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: 0, ArrowDown: 0 }[e.key];
      if (e.key === "ArrowUp" || e.key === "+") this.setZoom(this.zoom * 1.25);
      else if (e.key === "ArrowDown" || e.key === "-") this.setZoom(this.zoom / 1.25);
      else if (step) this.turn(step);
      else if (e.key === "f") this.fullscreen();
      else return;
      e.preventDefault();
      this.velocity = 0;
      this.touched();
    });
    const button = el.parentElement.querySelector(".spin-fullscreen");
    if (button && el.requestFullscreen) button.addEventListener("click", () => this.fullscreen());
    else if (button) button.hidden = true; // e.g. iPhone Safari: no element full screen
    const hint = el.parentElement.querySelector(".spin-hint");
    if (hint) hint.hidden = false;
  }

  fullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (this.root.requestFullscreen) this.root.requestFullscreen();
  }

  tick(now) {
    const dragging = this.pointers.size > 0;
    if (!dragging && Math.abs(this.velocity) > 0.01) {
      this.turn(this.velocity); // inertia
      this.velocity *= FRICTION;
    } else if (!dragging && this.loop && !REDUCED_MOTION && this.zoom === 1 && this.onScreen &&
               now - this.lastInput > IDLE_MS) {
      this.turn(AUTOPLAY_FRAMES_PER_S / 60); // autoplay while idle and in sight
    }
    const index = this.frameIndex();
    const image = (this.zoom > 1.2 && this.zoomImages[index]) || this.images[index];
    if (image && (this.dirty || index !== this.shown)) {
      const tilt = Math.max(-0.25, Math.min(0.25, this.velocity * 0.08));
      this.stage.draw(image, this.zoom, tilt, this.pan[0], this.pan[1]);
      this.shown = index;
      this.dirty = Math.abs(tilt) > 0.001;
      const angle = Math.round(this.manifest.frames[index].angle);
      this.root.dataset.frame = String(index);
      this.root.setAttribute("aria-valuenow", String(angle));
      this.root.setAttribute("aria-valuetext", `${angle}°`);
    }
    requestAnimationFrame((t) => this.tick(t));
  }
}

function start() {
  for (const root of document.querySelectorAll(".spin-viewer:not(.spin-ready)")) {
    const data = root.querySelector("script[type='application/json']");
    if (data) root.spinViewer = new SpinViewer(root, JSON.parse(data.textContent));
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
