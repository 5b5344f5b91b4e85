/** `train:` is the trainer's own config schema (src/train/config.ts). */
export { TrainConfigSchema as TrainSchema } from '../../train/config.ts';
