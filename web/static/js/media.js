// Media in the web client: the composer's attachments (a resumable chunked upload with a progress
// bar, then the server's processing, followed on the live stream), and media shown in tweets
// (thumbnails that open the full image, an audio player drawn over its waveform).
import { ApiError, get, post, putBytes } from './api.js';
import { h, show } from './ui.js';

const CHUNK_RETRIES = 4;
const POLL_MS = 1500;
const kindOf = (file) => (file.type.startsWith('audio/') ? 'audio' : 'image');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// --- media in tweets ---------------------------------------------------------------------------------

function waveform(peaks) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${peaks.length * 3} 40`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('class', 'waveform');
  svg.setAttribute('aria-hidden', 'true');
  peaks.forEach((peak, i) => {
    const height = Math.max(1, (peak / 100) * 40);
    const bar = document.createElementNS(ns, 'rect');
    bar.setAttribute('x', String(i * 3));
    bar.setAttribute('y', String((40 - height) / 2));
    bar.setAttribute('width', '2');
    bar.setAttribute('height', String(height));
    svg.append(bar);
  });
  return svg;
}

function audioPlayer(media) {
  const audio = h('audio', { controls: true, preload: 'metadata', src: media.url });
  const wave = waveform(media.peaks ?? []);
  const paint = () => {
    const played = audio.duration ? audio.currentTime / audio.duration : 0;
    [...wave.children].forEach((bar, i) => bar.classList.toggle('played', i / wave.children.length < played));
  };
  audio.addEventListener('timeupdate', paint);
  wave.addEventListener('click', (event) => {
    const box = wave.getBoundingClientRect();
    if (audio.duration) audio.currentTime = ((event.clientX - box.left) / box.width) * audio.duration;
  });
  return h('figure', { class: 'audio', 'data-media-id': media.id }, wave, audio);
}

function imageLink(media) {
  return h('a', { class: 'image', href: media.url, target: '_blank', rel: 'noopener', 'data-media-id': media.id },
    h('img', { src: media.preview_url, alt: 'An attached image', width: media.width, height: media.height,
      loading: 'lazy' }));
}

/** A tweet's media block, or null when it has none. */
export function mediaBlock(media) {
  if (!media || media.length === 0) return null;
  const images = media.filter((m) => m.type === 'image');
  return h('div', { class: `media count-${images.length}` },
    media.map((m) => (m.type === 'audio' ? audioPlayer(m) : imageLink(m))));
}

// --- the composer's attachments --------------------------------------------------------------------

/** Sends every chunk the server still lacks (so a retry resumes), each tried a few times. */
async function sendChunks(file, media, onProgress) {
  let { missing_chunks: missing } = media;
  let sent = media.received_bytes;
  for (const index of missing) {
    const blob = file.slice(index * media.chunk_size, Math.min(file.size, (index + 1) * media.chunk_size));
    for (let attempt = 1; ; attempt += 1) {
      try {
        await putBytes(`/media/${media.id}/chunks/${index}`, blob);
        break;
      } catch (error) {
        if (attempt >= CHUNK_RETRIES || (error.status >= 400 && error.status < 500)) throw error;
        await sleep(500 * attempt);
      }
    }
    sent += blob.size;
    onProgress(sent / file.size);
  }
  ({ media } = await get(`/media/${media.id}`));
  if (media.missing_chunks.length) return sendChunks(file, media, onProgress);
  return media;
}

/**
 * The attach button, file input and attachment list of a composer. `changed` is called whenever
 * an attachment's state changes; ready() names the media ids to post, busy() whether any is still
 * uploading or processing. onMedia(frame) takes the live stream's `media` events.
 */
export function attachments({ button, input, list, changed }) {
  const items = new Map(); // media id (or a local key until the server gives one) -> item

  function paint(item) {
    const { bar, label, thumb } = item.parts;
    bar.value = item.progress;
    const states = { uploading: 'Uploading', processing: 'Processing', ready: 'Ready', failed: 'Failed' };
    label.textContent = item.error ? `${states.failed}: ${item.error}` : states[item.state];
    item.element.dataset.state = item.state;
    show(bar, item.state === 'uploading' || item.state === 'processing');
    if (item.state === 'processing') bar.removeAttribute('value'); // indeterminate
    if (item.state === 'ready' && item.media.preview_url && !thumb.src) thumb.src = item.media.preview_url;
    show(thumb, Boolean(thumb.src));
    changed();
  }

  function settle(item, media) {
    item.media = media;
    item.state = media.state;
    item.error = media.error?.message;
    paint(item);
  }

  async function follow(item) {
    while (item.state === 'processing' && items.has(item.key)) {
      await sleep(POLL_MS); // the stream usually answers first; this covers a stream that is down
      if (item.state !== 'processing') return;
      try {
        settle(item, (await get(`/media/${item.media.id}`)).media);
      } catch {
        // keep waiting
      }
    }
  }

  async function upload(file) {
    const key = `local-${Math.random()}`;
    const bar = h('progress', { max: '1', value: '0', class: 'upload-progress', 'aria-label': `Upload of ${file.name}` });
    const label = h('span', { class: 'upload-state' }, 'Uploading');
    const thumb = h('img', { class: 'upload-thumb', alt: '', hidden: true });
    const remove = h('button', { type: 'button', class: 'link', 'aria-label': `Remove ${file.name}` }, '✕');
    const element = h('li', { class: 'attachment', 'data-state': 'uploading' },
      thumb, h('span', { class: 'upload-name' }, file.name), bar, label, remove);
    const item = { key, state: 'uploading', progress: 0, element, parts: { bar, label, thumb }, media: null };
    remove.addEventListener('click', () => { items.delete(item.key); element.remove(); changed(); });
    items.set(key, item);
    list.append(element);
    paint(item);
    try {
      let { media } = await post('/media', { media_type: kindOf(file), total_bytes: file.size });
      items.delete(key);
      item.key = media.id;
      items.set(media.id, item);
      element.dataset.mediaId = media.id;
      item.media = media;
      media = await sendChunks(file, media, (fraction) => { item.progress = fraction; paint(item); });
      item.progress = 1;
      settle(item, (await post(`/media/${media.id}/finalize`)).media);
      if (item.state === 'processing') follow(item);
    } catch (error) {
      item.state = 'failed';
      item.error = error instanceof ApiError ? error.message : String(error);
      paint(item);
    }
  }

  button.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    [...input.files].forEach(upload);
    input.value = '';
  });

  return {
    ready: () => [...items.values()].filter((i) => i.state === 'ready').map((i) => i.media.id),
    busy: () => [...items.values()].some((i) => i.state === 'uploading' || i.state === 'processing'),
    failed: () => [...items.values()].some((i) => i.state === 'failed'),
    clear() {
      items.clear();
      list.replaceChildren();
      changed();
    },
    onMedia({ media }) {
      const item = items.get(media.id);
      if (item && item.state !== 'ready' && item.state !== 'failed' && media.state !== 'uploading') settle(item, media);
    },
  };
}
