//! The generated face video: the portrait of [`crate::image::face`] blinking once, as a small MP4
//! (ISO BMFF: ftyp, moov with one `avc1` H.264 track, mdat) for the `video` field of
//! queryfacerecord and sync (PROTOCOL-FACE.md §6). less-avc encodes every frame as a lossless
//! I_PCM picture, so the frames are few and small: four pictures held for different times
//! (open, half shut, shut, open) make a two-second blink of about 170 KB.

use crate::image::face::{self, Look};
use less_avc::ycbcr_image::{DataPlane, Planes, YCbCrImage};
use less_avc::BitDepth;

/// Width and height of the video in pixels (3:4 like the photo; multiples of 16).
pub(crate) const VIDEO_WIDTH: usize = 144;
pub(crate) const VIDEO_HEIGHT: usize = 192;
/// Ticks per second of the track (milliseconds).
pub(crate) const TIMESCALE: u32 = 1000;
/// The pictures of the blink: how far the eyes are open, and for how many milliseconds.
pub(crate) const BLINK: [(f32, u32); 4] = [(1.0, 900), (0.45, 100), (0.0, 150), (1.0, 850)];

/// The MP4 of the person of `seed` blinking: `BLINK.len()` frames, two seconds, the same bytes
/// for the same seed.
pub(crate) fn face_video(seed: u64) -> Vec<u8> {
    let look = Look::of(seed);
    let frames: Vec<Frame> = BLINK.iter().map(|&(open, _)| encode_frame(&look, open)).collect();
    mux(&frames).expect("writing our own frames into a Vec cannot fail")
}

/// The planes of a full-range BT.601 YCbCr 4:2:0 picture (what less-avc's SPS signals).
struct Yuv {
    y: Vec<u8>,
    cb: Vec<u8>,
    cr: Vec<u8>,
}

fn to_yuv420(rgb: &[u8], width: usize, height: usize) -> Yuv {
    let at = |x: usize, y: usize| {
        let p = &rgb[(y * width + x) * 3..][..3];
        (f32::from(p[0]), f32::from(p[1]), f32::from(p[2]))
    };
    let luma = |(r, g, b): (f32, f32, f32)| 0.299 * r + 0.587 * g + 0.114 * b;
    let y = (0..width * height).map(|i| luma(at(i % width, i / width)).round() as u8).collect();
    let (cw, ch) = (width / 2, height / 2);
    let (mut cb, mut cr) = (Vec::with_capacity(cw * ch), Vec::with_capacity(cw * ch));
    for cy in 0..ch {
        for cx in 0..cw {
            // The average of the 2×2 block the chroma sample covers.
            let quad = [at(2 * cx, 2 * cy), at(2 * cx + 1, 2 * cy), at(2 * cx, 2 * cy + 1), at(2 * cx + 1, 2 * cy + 1)];
            let (r, g, b) =
                quad.iter().fold((0.0, 0.0, 0.0), |s, p| (s.0 + p.0 / 4.0, s.1 + p.1 / 4.0, s.2 + p.2 / 4.0));
            let l = luma((r, g, b));
            cb.push((128.0 + 0.564 * (b - l)).round().clamp(0.0, 255.0) as u8);
            cr.push((128.0 + 0.713 * (r - l)).round().clamp(0.0, 255.0) as u8);
        }
    }
    Yuv { y, cb, cr }
}

/// One picture as H.264 NAL units: the SPS, the PPS and the IDR slice (each without start code).
struct Frame {
    sps: Vec<u8>,
    pps: Vec<u8>,
    slice: Vec<u8>,
}

fn encode_frame(look: &Look, open: f32) -> Frame {
    let yuv = to_yuv420(&face::draw(look, VIDEO_WIDTH, VIDEO_HEIGHT, open), VIDEO_WIDTH, VIDEO_HEIGHT);
    let plane = |data, stride| DataPlane { data, stride, bit_depth: BitDepth::Depth8 };
    let image = YCbCrImage {
        planes: Planes::YCbCr((
            plane(&yuv.y, VIDEO_WIDTH),
            plane(&yuv.cb, VIDEO_WIDTH / 2),
            plane(&yuv.cr, VIDEO_WIDTH / 2),
        )),
        width: VIDEO_WIDTH as u32,
        height: VIDEO_HEIGHT as u32,
    };
    // Every frame is an IDR picture of its own, so a fresh encoder per frame gives the same bytes
    // as one encoder fed all four, and the same SPS and PPS each time.
    let (units, _encoder) = less_avc::LessEncoder::new(&image).expect("a 144×192 8-bit 4:2:0 picture is supported");
    Frame { sps: units.sps.to_nal_unit(), pps: units.pps.to_nal_unit(), slice: units.frame.to_nal_unit() }
}

/// The ISO BMFF file of `frames`, held for the durations of [`BLINK`]; samples in AVCC form
/// (4-byte length, then the slice), the SPS and PPS of the first frame in the avcC box.
fn mux(frames: &[Frame]) -> mp4::Result<Vec<u8>> {
    let (sps, pps) = (frames[0].sps.clone(), frames[0].pps.clone());
    let config = mp4::Mp4Config {
        major_brand: "isom".parse()?,
        minor_version: 512,
        compatible_brands: ["isom", "iso2", "avc1", "mp41"].iter().map(|b| b.parse()).collect::<mp4::Result<_>>()?,
        timescale: TIMESCALE,
    };
    let mut writer = mp4::Mp4Writer::write_start(std::io::Cursor::new(Vec::new()), &config)?;
    let avc = mp4::AvcConfig {
        width: VIDEO_WIDTH as u16,
        height: VIDEO_HEIGHT as u16,
        seq_param_set: sps,
        pic_param_set: pps,
    };
    writer.add_track(&mp4::TrackConfig {
        track_type: mp4::TrackType::Video,
        timescale: TIMESCALE,
        language: "und".into(),
        media_conf: mp4::MediaConfig::AvcConfig(avc),
    })?;
    let mut start_time = 0;
    for (frame, &(_, duration)) in frames.iter().zip(BLINK.iter()) {
        let bytes = bytes::Bytes::from([&(frame.slice.len() as u32).to_be_bytes()[..], &frame.slice].concat());
        writer.write_sample(1, &mp4::Mp4Sample { start_time, duration, rendering_offset: 0, is_sync: true, bytes })?;
        start_time += u64::from(duration);
    }
    writer.write_end()?;
    Ok(writer.into_writer().into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The top-level boxes of an ISO BMFF file: (type, size), walking the size fields.
    fn top_level_boxes(file: &[u8]) -> Vec<(String, usize)> {
        let mut boxes = Vec::new();
        let mut at = 0;
        while at + 8 <= file.len() {
            let size = u32::from_be_bytes(file[at..at + 4].try_into().unwrap()) as usize;
            boxes.push((String::from_utf8_lossy(&file[at + 4..at + 8]).into_owned(), size));
            assert!(size >= 8, "a box of size {size} at {at}");
            at += size;
        }
        assert_eq!(at, file.len(), "the boxes do not end with the file");
        boxes
    }

    #[test]
    fn the_video_is_an_iso_bmff_file_with_ftyp_moov_and_mdat() {
        let video = face_video(1);
        let kinds: Vec<String> = top_level_boxes(&video).into_iter().map(|(kind, _)| kind).collect();
        assert_eq!(kinds[0], "ftyp");
        assert!(kinds.contains(&"moov".to_string()) && kinds.contains(&"mdat".to_string()), "{kinds:?}");
    }

    #[test]
    fn the_video_has_one_avc1_track_of_four_frames_lasting_two_seconds() {
        let video = face_video(2);
        let reader = mp4::Mp4Reader::read_header(std::io::Cursor::new(&video), video.len() as u64).unwrap();
        assert_eq!(reader.tracks().len(), 1);
        let track = &reader.tracks()[&1];
        assert_eq!(track.media_type().unwrap(), mp4::MediaType::H264);
        assert_eq!(track.box_type().unwrap().to_string(), "avc1");
        assert_eq!((track.width(), track.height()), (VIDEO_WIDTH as u16, VIDEO_HEIGHT as u16));
        assert_eq!(track.sample_count(), BLINK.len() as u32);
        assert_eq!(track.duration(), std::time::Duration::from_secs(2));
        // Baseline profile (66), the SPS less-avc writes for 8-bit colour.
        assert_eq!(track.sequence_parameter_set().unwrap()[1], 66);
    }

    #[test]
    fn every_sample_is_one_length_prefixed_idr_slice() {
        let video = face_video(3);
        let mut reader = mp4::Mp4Reader::read_header(std::io::Cursor::new(&video), video.len() as u64).unwrap();
        for id in 1..=BLINK.len() as u32 {
            let sample = reader.read_sample(1, id).unwrap().expect("the sample exists");
            let len = u32::from_be_bytes(sample.bytes[..4].try_into().unwrap()) as usize;
            assert_eq!(len + 4, sample.bytes.len());
            assert_eq!(sample.bytes[4] & 0x1F, 5, "sample {id} is not an IDR slice");
            assert!(sample.is_sync);
        }
    }

    #[test]
    fn the_video_is_the_same_for_a_seed_different_across_seeds_and_under_200_kb() {
        assert_eq!(face_video(9), face_video(9));
        assert_ne!(face_video(9), face_video(10));
        let len = face_video(9).len();
        assert!(len < 200_000, "{len} bytes");
    }

    #[test]
    fn the_blink_shuts_the_eyes_in_the_middle_frames_only() {
        let video = face_video(4);
        let mut reader = mp4::Mp4Reader::read_header(std::io::Cursor::new(&video), video.len() as u64).unwrap();
        let samples: Vec<_> = (1..=4).map(|id| reader.read_sample(1, id).unwrap().unwrap().bytes).collect();
        assert_eq!(samples[0], samples[3]);
        assert_ne!(samples[0], samples[1]);
        assert_ne!(samples[1], samples[2]);
    }
}
