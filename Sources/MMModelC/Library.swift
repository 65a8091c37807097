import CMMModel
import MMModel
