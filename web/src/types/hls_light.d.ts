// hls.js ships types for its main entry only; the light build (no subtitles, alt audio, EME) has the
// same API.
declare module 'hls.js/light' {
  import Hls from 'hls.js';
  export default Hls;
}
