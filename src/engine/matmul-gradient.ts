/**
 * A `BatchMatMul` gradient that handles batch broadcasting. tfjs-core 4.22's
 * own gradient returns the *unreduced* batched gradient, so differentiating
 * x[B,T,K]·W[K,N] throws "gradient of input 'b' has shape B,K,N". For
 * C = op(A)·op(B) with upstream dC (op(X) = Xᵀ when transposed):
 *
 *   tA tB | dA              | dB
 *   ------+-----------------+-----------------
 *   -  -  | dC·Bᵀ           | Aᵀ·dC
 *   -  T  | dC·B            | dCᵀ·A
 *   T  -  | B·dCᵀ           | A·dC
 *   T  T  | Bᵀ·dCᵀ          | dCᵀ·Aᵀ
 *
 * then each gradient is summed over the batch axes its input was broadcast
 * along. When B is one shared rank-2 matrix and A's rows are contiguous (no
 * transposeA), dB is one product over all batch·M rows instead of a batched
 * product and a sum: dB = A_flatᵀ·dC_flat (or dC_flatᵀ·A_flat when tB).
 *
 * Registered by initEngine; a later registration of all tfjs gradients
 * (src/model/tf-gradients.ts imported after initEngine) would replace it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';

/** Sum `g` over the leading/size-1 axes that broadcasting added, back to `shape`. */
function reduceTo(g: Tensor, shape: number[]): Tensor {
  if (tf.util.arraysEqual(g.shape, shape)) return g;
  const axes = tf.broadcast_util.getReductionAxes(shape, g.shape);
  return tf.reshape(axes.length ? tf.sum(g, axes) : g, shape);
}

export function batchMatMulGrad(dy: Tensor, saved: Tensor[], attrs: NamedAttrMap): { a: () => Tensor; b: () => Tensor } {
  const [a, b] = saved;
  const tA = !!attrs.transposeA;
  const tB = !!attrs.transposeB;
  return {
    a: () => {
      const g = !tA && !tB ? tf.matMul(dy, b, false, true)
        : !tA && tB ? tf.matMul(dy, b, false, false)
          : tA && !tB ? tf.matMul(b, dy, false, true)
            : tf.matMul(b, dy, true, true);
      return reduceTo(g, a.shape);
    },
    b: () => {
      if (b.rank === 2 && a.rank > 2 && !tA) {
        const k = a.shape[a.rank - 1];
        const n = dy.shape[dy.rank - 1];
        const aFlat = tf.reshape(a, [-1, k]); // [batch·M, K]
        const dyFlat = tf.reshape(dy, [-1, n]); // [batch·M, N]
        return tB ? tf.matMul(dyFlat, aFlat, true, false) : tf.matMul(aFlat, dyFlat, true, false);
      }
      const g = !tA && !tB ? tf.matMul(a, dy, true, false)
        : !tA && tB ? tf.matMul(dy, a, true, false)
          : tA && !tB ? tf.matMul(a, dy, false, false)
            : tf.matMul(dy, a, true, true);
      return reduceTo(g, b.shape);
    },
  };
}

export function registerMatmulGradient(): void {
  tf.registerGradient({
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => batchMatMulGrad(dy as Tensor, saved, attrs),
  });
}
